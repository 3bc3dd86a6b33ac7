"""Webhook subscriptions, outbox events, deliveries and their attempts of one shop (X3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.webhook import Attempt, Delivery, DeliveryStatus, Event, Subscription
from infra import tables as t
from infra.repositories.base import TableRepository, grouped


class SubscriptionRepository(TableRepository[Subscription]):
    table = t.webhook_subscription
    noun = "webhook subscription"

    def to_domain(self, row: Row[Any]) -> Subscription:
        return Subscription(
            id=row.id,
            url=row.url,
            event_types=tuple(row.event_types),
            active=row.active,
            created_at=row.created_at,
        )


class EventRepository(TableRepository[Event]):
    table = t.event_outbox

    def to_domain(self, row: Row[Any]) -> Event:
        return Event(
            id=row.id,
            type=row.type,
            payload=row.payload,
            created_at=row.created_at,
            dispatched_at=row.dispatched_at,
        )


class DeliveryRepository(TableRepository[Delivery]):
    table = t.webhook_delivery

    def to_domain(self, row: Row[Any]) -> Delivery:
        return Delivery(
            id=row.id,
            event_id=row.event_id,
            subscription_id=row.subscription_id,
            status=DeliveryStatus(row.status),
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )

    async def attempts_of(self, delivery_ids: Sequence[int]) -> list[list[Attempt]]:
        """Every attempt of each delivery, oldest first (a delivery has a bounded few)."""
        a = t.webhook_attempt
        rows = await self.session.execute(
            select(a)
            .where(a.c.shop_id == self.shop_id, a.c.delivery_id.in_(set(delivery_ids)))
            .order_by(a.c.delivery_id, a.c.id)
        )
        return grouped(
            delivery_ids,
            rows,
            lambda r: r.delivery_id,
            lambda r: Attempt(
                r.id, r.delivery_id, r.attempted_at, r.status_code, r.error, r.duration_ms
            ),
        )


class WebhookAdmin:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.subscriptions = SubscriptionRepository(session, shop_id)

    async def get(self, subscription_id: int) -> Subscription:
        return await self.subscriptions.one(subscription_id, field="input.id")

    async def create(
        self, *, url: str, event_types: Sequence[str], secret: str, active: bool
    ) -> Subscription:
        s = t.webhook_subscription
        new_id = await self.session.scalar(
            s.insert()
            .values(
                shop_id=self.shop_id,
                url=url,
                event_types=list(event_types),
                secret=secret,
                active=active,
            )
            .returning(s.c.id)
        )
        assert new_id is not None
        return await self.get(new_id)

    async def update(self, subscription_id: int, **values: Any) -> Subscription:
        await self.get(subscription_id)
        if values:
            s = t.webhook_subscription
            await self.session.execute(
                update(s)
                .where(s.c.shop_id == self.shop_id, s.c.id == subscription_id)
                .values(**values)
            )
        return await self.get(subscription_id)

    async def delete(self, subscription_id: int) -> None:
        """Its deliveries and their attempts go with it; the events stay in the outbox."""
        await self.get(subscription_id)
        s = t.webhook_subscription
        await self.session.execute(
            delete(s).where(s.c.shop_id == self.shop_id, s.c.id == subscription_id)
        )
