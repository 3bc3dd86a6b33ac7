"""Outbox events fanned out to webhook subscriptions, and one delivery attempt at a time.

``dispatch_outbox`` turns undispatched events into one delivery per matching subscription, in
the transaction that marks the events dispatched (the unique (event, subscription) key makes
a repeated dispatch harmless). ``deliver`` makes one signed POST for a pending delivery, with
the delivery row locked, and records the attempt: a delivery is never sent twice at once and
never lost, and a failed one is given its next attempt time by the backoff schedule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, retry_delay, sign
from domain.webhook import DeliveryStatus, url_refusal
from infra import tables as t
from infra.egress import WebhookClient

TIMEOUT_SECONDS = 10.0


async def dispatch_outbox(
    session: AsyncSession, now: datetime, limit: int = 500
) -> list[tuple[int, int]]:
    """Create deliveries for undispatched events; returns their (shop id, delivery id)."""
    e, s, d = t.event_outbox, t.webhook_subscription, t.webhook_delivery
    events = (
        select(e.c.shop_id, e.c.id, e.c.type)
        .where(e.c.dispatched_at.is_(None))
        .order_by(e.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("events")
    )
    targets = (
        select(
            events.c.shop_id,
            events.c.id.label("event_id"),
            s.c.id.label("subscription_id"),
            literal(now).label("next_attempt_at"),
            literal(now).label("created_at"),
        )
        .join(s, s.c.shop_id == events.c.shop_id)
        .where(
            s.c.active,
            or_(func.cardinality(s.c.event_types) == 0, events.c.type == func.any(s.c.event_types)),
        )
    )
    created = await session.execute(
        pg_insert(d)
        .from_select(
            ["shop_id", "event_id", "subscription_id", "next_attempt_at", "created_at"], targets
        )
        .on_conflict_do_nothing()
        .returning(d.c.shop_id, d.c.id)
    )
    deliveries = [(row.shop_id, row.id) for row in created]
    await session.execute(
        update(e)
        .where(e.c.dispatched_at.is_(None), e.c.id.in_(select(events.c.id)))
        .values(dispatched_at=now)
    )
    return deliveries


async def due_deliveries(
    session: AsyncSession, now: datetime, limit: int = 500
) -> list[tuple[int, int]]:
    """Pending deliveries whose attempt is due: re-queued by the sweeper if a job was lost."""
    d = t.webhook_delivery
    rows = await session.execute(
        select(d.c.shop_id, d.c.id)
        .where(d.c.status == "pending", d.c.next_attempt_at <= now)
        .order_by(d.c.next_attempt_at)
        .limit(limit)
    )
    return [(row.shop_id, row.id) for row in rows]


@dataclass(frozen=True, slots=True)
class Attempt:
    delivered: bool
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None

    @property
    def status(self) -> DeliveryStatus:
        """The delivery's status after this attempt."""
        if self.delivered:
            return DeliveryStatus.DELIVERED
        return DeliveryStatus.PENDING if self.next_attempt_at is not None else DeliveryStatus.FAILED

    @property
    def outcome(self) -> str:
        """`delivered`, `retrying` (a later attempt is due) or `failed` (none is left)."""
        return "retrying" if self.status is DeliveryStatus.PENDING else self.status.value


def envelope(
    event_id: int, shop_id: int, type: str, created_at: datetime, payload: object
) -> bytes:
    return orjson.dumps(
        {"id": event_id, "shopId": shop_id, "type": type, "createdAt": created_at, "data": payload}
    )


async def deliver(
    session: AsyncSession, shop_id: int, delivery_id: int, now: datetime, client: WebhookClient
) -> Attempt | None:
    """One attempt for a pending delivery; None when it is not pending or is being sent.

    A URL the install's setting refuses (a private address saved while
    ``WEBHOOK_LOCAL_NETWORK`` was on) fails the delivery at once, without connecting: no
    later attempt could reach it. A name that resolves to a private address is refused by
    the client at each attempt instead, since its addresses may change."""
    d, e, s = t.webhook_delivery, t.event_outbox, t.webhook_subscription
    row = (
        await session.execute(
            select(
                d.c.id,
                d.c.attempts,
                e.c.id.label("event_id"),
                e.c.type,
                e.c.payload,
                e.c.created_at,
                s.c.url,
                s.c.secret,
            )
            .join(e, (e.c.shop_id == d.c.shop_id) & (e.c.id == d.c.event_id))
            .join(s, (s.c.shop_id == d.c.shop_id) & (s.c.id == d.c.subscription_id))
            .where(d.c.shop_id == shop_id, d.c.id == delivery_id, d.c.status == "pending")
            .with_for_update(of=d, skip_locked=True)
        )
    ).first()
    if row is None:
        return None
    started = time.monotonic()
    status_code: int | None
    error: str | None
    refused = url_refusal(row.url, local_network=client.local_network)
    if refused is not None:
        status_code, error = None, f"refused: {refused}"[:500]
    else:
        status_code, error = await _post(client, row, shop_id, delivery_id, now)
    duration_ms = int((time.monotonic() - started) * 1000)
    attempts = row.attempts + 1
    await session.execute(
        insert(t.webhook_attempt).values(
            shop_id=shop_id,
            delivery_id=delivery_id,
            attempted_at=now,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
    )
    delivered = error is None
    wait = None if delivered or refused is not None else retry_delay(attempts)
    attempt = Attempt(delivered, status_code, error, now + wait if wait is not None else None)
    await session.execute(
        update(d)
        .where(d.c.shop_id == shop_id, d.c.id == delivery_id)
        .values(
            attempts=attempts,
            last_status_code=status_code,
            last_error=error,
            status=attempt.status.value,
            delivered_at=now if delivered else None,
            next_attempt_at=attempt.next_attempt_at,
        )
    )
    return attempt


async def _post(
    client: WebhookClient, row: Any, shop_id: int, delivery_id: int, now: datetime
) -> tuple[int | None, str | None]:
    """POSTs the event, signed, to the subscription's URL: the receiver's status code, and
    the error when the attempt failed (None when the receiver answered 2xx)."""
    body = envelope(row.event_id, shop_id, row.type, row.created_at, row.payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(row.secret, int(now.timestamp()), body),
        EVENT_HEADER: row.type,
        DELIVERY_HEADER: str(delivery_id),
    }
    try:
        response = await client.post(
            row.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.HTTPError as failure:
        return None, f"{type(failure).__name__}: {failure}"[:500]
    status_code = response.status_code
    return status_code, None if 200 <= status_code < 300 else f"HTTP {status_code}"
