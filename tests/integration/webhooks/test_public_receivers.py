"""Webhooks reach public receivers only: the address is checked at every connection, after
resolving the name, and the connection goes to the address that was checked."""

from __future__ import annotations

from datetime import datetime

import httpcore
import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import EventType
from infra import tables as t
from infra import webhooks
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


@pytest.mark.spec("X3", "X5")
async def test_a_receiver_on_this_machine_gets_nothing_unless_the_install_allows_it(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    with receiver([200, 200, 200]) as hook:
        by_address = await _attempt_on(session, hook.url, now, local=False)
        by_name = await _attempt_on(
            session, hook.url.replace("127.0.0.1", "localhost"), now, local=False
        )
        assert hook.requests == []
        allowed = await _attempt_on(session, hook.url, now, local=True)
        assert len(hook.requests) == 1

    assert by_address == "ConnectError: refused: 127.0.0.1 is not a public address"
    assert by_name is not None
    assert by_name.startswith("ConnectError: refused: localhost resolves to ")
    assert by_name.endswith(", which is not a public address")
    assert allowed is None
    d = t.webhook_delivery
    statuses = (await session.execute(select(d.c.status).order_by(d.c.id))).scalars().all()
    assert statuses == ["pending", "pending", "delivered"]  # refused ones are tried again


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
