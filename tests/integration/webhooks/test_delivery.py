"""Outbox to signed webhook: retries with backoff on 500 and timeouts, attempts recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import SIGNATURE_HEADER, EventType, verify
from infra import tables as t
from infra import webhooks
from infra.egress import webhook_client
from infra.events import emit
from tests.conftest import OTHER_SHOP_ID, SHOP_ID
from tests.factories import make_webhook_subscription
from tests.integration.webhooks.receiver import receiver

SECRET = "whsec_test"


@pytest.mark.spec("X3", "X5")
async def test_events_fan_out_once_to_matching_subscriptions(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    every = await make_webhook_subscription(session, "http://127.0.0.1:9/all", [])
    tags_only = await make_webhook_subscription(session, "http://127.0.0.1:9/tags", ["tag.added"])
    await make_webhook_subscription(session, "http://127.0.0.1:9/other", [], shop_id=OTHER_SHOP_ID)
    await emit(session, SHOP_ID, EventType.TAG_ADDED, {"tagId": 1}, now)
    await emit(session, SHOP_ID, EventType.CUSTOMER_MERGED, {"into": 2}, now)

    created = await webhooks.dispatch_outbox(session, now)
    again = await webhooks.dispatch_outbox(session, now)

    assert len(created) == 3
    assert again == []
    d = t.webhook_delivery
    pairs = sorted(
        (row.subscription_id, row.status)
        for row in await session.execute(select(d.c.subscription_id, d.c.status))
    )
    assert pairs == sorted([(every, "pending"), (every, "pending"), (tags_only, "pending")])


@pytest.mark.spec("X5")
async def test_delivery_is_signed_retried_with_backoff_and_recorded(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    with receiver([500, "sleep", 200]) as hook:
        await make_webhook_subscription(session, hook.url, [])
        await emit(session, SHOP_ID, EventType.TAG_ADDED, {"subscriberId": 7, "tagId": 3}, now)
        [(shop_id, delivery_id)] = await webhooks.dispatch_outbox(session, now)

        webhooks.TIMEOUT_SECONDS = 0.5
        async with webhook_client(local_network=True) as client:
            first = await webhooks.deliver(session, shop_id, delivery_id, now, client)
            assert first is not None
            assert (first.delivered, first.status_code) == (False, 500)
            assert first.next_attempt_at == now + timedelta(seconds=30)

            later = first.next_attempt_at
            second = await webhooks.deliver(session, shop_id, delivery_id, later, client)
            assert second is not None
            assert (second.delivered, second.error) == (False, "timed out")
            assert second.next_attempt_at == later + timedelta(seconds=60)

            last = second.next_attempt_at
            third = await webhooks.deliver(session, shop_id, delivery_id, last, client)
            assert third is not None
            assert third.delivered
            assert await webhooks.deliver(session, shop_id, delivery_id, last, client) is None
        webhooks.TIMEOUT_SECONDS = 10.0

    assert len(hook.requests) == 3
    bodies = {r.body for r in hook.requests}
    assert len(bodies) == 1  # the same event each time: receivers deduplicate by its id
    request = hook.requests[-1]
    event = orjson.loads(request.body)
    assert event["type"] == "tag.added"
    assert event["data"] == {"subscriberId": 7, "tagId": 3}
    assert verify(SECRET, request.headers[SIGNATURE_HEADER], request.body, int(last.timestamp()))
    assert not verify(
        "wrong", request.headers[SIGNATURE_HEADER], request.body, int(last.timestamp())
    )
    assert not verify(
        SECRET, request.headers[SIGNATURE_HEADER], request.body + b" ", int(last.timestamp())
    )
    # "³" is a digit to str.isdigit, and int() raised on it.
    signature = request.headers[SIGNATURE_HEADER].split(",")[1]
    assert not verify(SECRET, f"t=³,{signature}", request.body, int(last.timestamp()))

    d, a = t.webhook_delivery, t.webhook_attempt
    row = (await session.execute(select(d).where(d.c.id == delivery_id))).one()
    assert (row.status, row.attempts, row.last_status_code, row.delivered_at) == (
        "delivered",
        3,
        200,
        last,
    )
    attempts = (
        await session.execute(
            select(a.c.status_code, a.c.error)
            .where(a.c.delivery_id == delivery_id)
            .order_by(a.c.id)
        )
    ).all()
    assert [tuple(x) for x in attempts] == [(500, "HTTP 500"), (None, "timed out"), (200, None)]


@pytest.mark.spec("X5")
async def test_a_delivery_gives_up_after_the_last_attempt(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    with receiver([500] * 10) as hook:
        await make_webhook_subscription(session, hook.url, [])
        await emit(session, SHOP_ID, EventType.TAG_REMOVED, {"tagId": 1}, now)
        [(shop_id, delivery_id)] = await webhooks.dispatch_outbox(session, now)
        at = now
        async with webhook_client(local_network=True) as client:
            for _ in range(8):
                attempt = await webhooks.deliver(session, shop_id, delivery_id, at, client)
                assert attempt is not None
                at = attempt.next_attempt_at or at
        assert attempt.next_attempt_at is None
    d = t.webhook_delivery
    assert (await session.execute(select(d.c.status, d.c.attempts))).one() == ("failed", 8)
    count = await session.scalar(select(func.count()).select_from(t.webhook_attempt))
    assert count == 8
