"""Webhooks reach public receivers only: the address is checked at every connection, after
resolving the name, and the connection goes to the address that was checked."""

from __future__ import annotations

import ipaddress
from datetime import datetime

import httpcore
import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import EventType
from domain.webhook import IPAddress
from infra import egress, webhooks
from infra import tables as t
from infra.egress import PublicNetworkBackend, PublicTransport, webhook_client
from infra.events import emit
from tests.conftest import SHOP_ID
from tests.factories import make_webhook_subscription
from tests.integration.webhooks.receiver import receiver


async def _attempt_on(session: AsyncSession, url: str, now: datetime, *, local: bool) -> str | None:
    await session.execute(update(t.webhook_subscription).values(active=False))
    await make_webhook_subscription(session, url, [])
    await emit(session, SHOP_ID, EventType.TAG_ADDED, {"tagId": 1}, now)
    [(shop_id, delivery_id)] = await webhooks.dispatch_outbox(session, now)
    async with webhook_client(local_network=local) as client:
        attempt = await webhooks.deliver(session, shop_id, delivery_id, now, client)
    assert attempt is not None
    return attempt.error


async def _statuses(session: AsyncSession) -> list[tuple[str, datetime | None]]:
    d = t.webhook_delivery
    found = await session.execute(select(d.c.status, d.c.next_attempt_at).order_by(d.c.id))
    return [(status, at) for status, at in found.all()]


@pytest.mark.spec("X3", "X5")
async def test_a_receiver_on_this_machine_gets_nothing_unless_the_install_allows_it(
    session: AsyncSession, shop: int, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve = egress._resolve

    async def names_this_machine(host: str, port: int, seconds: float | None) -> list[IPAddress]:
        if host == "hooks.example.vn":
            return [ipaddress.ip_address("127.0.0.1")]
        return await resolve(host, port, seconds)

    monkeypatch.setattr(egress, "_resolve", names_this_machine)
    with receiver([200, 200, 200]) as hook:
        # Saved while the install allowed its own network: refused without connecting.
        by_address = await _attempt_on(session, hook.url, now, local=False)
        by_name = await _attempt_on(
            session, hook.url.replace("127.0.0.1", "localhost"), now, local=False
        )
        # A name the URL does not give away is refused at the connection, after resolving.
        resolved = await _attempt_on(
            session,
            hook.url.replace("http://127.0.0.1", "https://hooks.example.vn"),
            now,
            local=False,
        )
        assert hook.requests == []
        allowed = await _attempt_on(session, hook.url, now, local=True)
        assert len(hook.requests) == 1

    assert by_address is not None
    assert by_address.startswith("refused: '127.0.0.1' is not a public address; ")
    assert by_name is not None
    assert by_name.startswith("refused: 'localhost' is not a public address; ")
    assert resolved == (
        "ConnectError: refused: hooks.example.vn resolves to 127.0.0.1, which is not a "
        "public address"
    )
    assert allowed is None
    statuses = await _statuses(session)
    # A refused URL fails at once; a name is tried again, since what it resolves to may change.
    assert [status for status, _ in statuses] == ["failed", "failed", "pending", "delivered"]
    assert statuses[0][1] is None
    assert statuses[2][1] is not None


class Recording(httpcore.AsyncMockBackend):
    """Answers every connection with one HTTP response, and records where it was made."""

    def __init__(self) -> None:
        super().__init__([b"HTTP/1.1 204 No Content\r\n\r\n"])
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
        self.hosts.append(host)
        return await super().connect_tcp(host, port)


@pytest.mark.spec("X3")
async def test_a_public_address_is_connected_to_as_checked() -> None:
    inner = Recording()
    async with httpx.AsyncClient(transport=PublicTransport(PublicNetworkBackend(inner))) as client:
        response = await client.post("http://8.8.8.8:8080/hook", content=b"{}")
        with pytest.raises(httpx.ConnectError, match=r"169\.254\.169\.254 is not a public"):
            await client.post("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(httpx.ConnectError, match="is not a public address"):
            await client.post("http://[::ffff:10.0.0.1]/hook")
    assert response.status_code == 204
    assert inner.hosts == ["8.8.8.8"]
