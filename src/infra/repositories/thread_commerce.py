"""Orders and customer details taken from a thread (SPEC C10, X1).

Both actions first ask the channel's capabilities, so a refusal writes nothing. An order locks
its customer and recomputes the customer's aggregates from the orders, as ingestion does, so
the figures always equal the orders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.channel import check_customer_sync, check_order_creation
from domain.conversation import Thread
from domain.errors import DomainError, ErrorCode, NotFound
from domain.phone import carrier_of
from domain.thread_order import ThreadOrder, ThreadOrderLine, order_total
from infra import tables as t
from infra.ingest.linking import link_subscribers
from infra.ingest.orders import lock_customers, recompute_aggregates
from infra.repositories.thread_actions import ThreadActions
from infra.segment_events import customers_changed

# Subscriber details a sync copies into an empty customer field.
SYNCED_FIELDS = ("full_name", "first_name", "last_name", "phone", "email")


class ThreadCommerce:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.actions = ThreadActions(session, shop_id)

    async def create_order(
        self,
        thread_id: int,
        lines: tuple[ThreadOrderLine, ...],
        *,
        store_code: str | None,
        now: datetime,
    ) -> ThreadOrder:
        thread = await self.actions.get(thread_id)
        check_order_creation(thread.channel, field="input.threadId")
        if thread.customer_id is None:
            raise DomainError(
                "This thread has no customer yet; sync or link the customer first "
                "(threadCustomerSync).",
                code=ErrorCode.CONFLICT,
                field="input.threadId",
            )
        store_id = await self._store_id(store_code)
        await lock_customers(self.session, self.shop_id, [thread.customer_id])
        products = await self._product_ids(lines)
        total = order_total(lines)
        order_id = await self.session.scalar(
            insert(t.order)
            .values(
                shop_id=self.shop_id,
                customer_id=thread.customer_id,
                channel=thread.channel.value,
                store_id=store_id,
                placed_at=now,
                total_amount=total,
                created_at=now,
            )
            .returning(t.order.c.id)
        )
        assert order_id is not None
        await self.session.execute(
            insert(t.order_line),
            [
                {
                    "shop_id": self.shop_id,
                    "order_id": order_id,
                    "product_id": products[line.sku],
                    "quantity": line.quantity,
                    "amount": line.amount,
                }
                for line in lines
            ],
        )
        await recompute_aggregates(self.session, self.shop_id, [thread.customer_id])
        await customers_changed(self.session, self.shop_id, [thread.customer_id], now)
        await self.session.execute(
            update(t.thread)
            .where(t.thread.c.shop_id == self.shop_id, t.thread.c.id == thread_id)
            .values(has_order=True)
        )
        return ThreadOrder(order_id, thread.customer_id, thread_id, total)

    async def _store_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        found = await self.session.scalar(
            select(t.store.c.id).where(t.store.c.shop_id == self.shop_id, t.store.c.code == code)
        )
        if found is None:
            raise NotFound(f"No store has code {code!r}.", field="input.store")
        return int(found)

    async def _product_ids(self, lines: tuple[ThreadOrderLine, ...]) -> dict[str, int]:
        """Ids by SKU; an unknown SKU becomes a product named after it, as ingestion does."""
        p = t.product
        skus = sorted({line.sku for line in lines})
        await self.session.execute(
            upsert(p)
            .values([{"shop_id": self.shop_id, "sku": sku, "name": sku} for sku in skus])
            .on_conflict_do_nothing(index_elements=[p.c.shop_id, p.c.sku])
        )
        rows = await self.session.execute(
            select(p.c.sku, p.c.id).where(p.c.shop_id == self.shop_id, p.c.sku.in_(skus))
        )
        return {sku: id_ for sku, id_ in rows}

    async def sync_customer(self, thread_id: int, *, now: datetime) -> tuple[Thread, int]:
        """Fills the linked customer's empty fields, or links or creates one; the customer id.

        With no linked customer the X1 rules run first: a phone or e-mail matching one customer
        links to it, several is AMBIGUOUS, none creates a customer from the subscriber.
        """
        thread = await self.actions.get(thread_id)
        check_customer_sync(thread.channel, field="input.threadId")
        # Locked, so two staff syncing the same person at once do not create two customers.
        sub = await self._subscriber(thread.subscriber_id, lock=True)
        customer_id = sub.customer_id or thread.customer_id
        if customer_id is None:
            if await link_subscribers(self.session, self.shop_id, subscriber_ids=[sub.id]):
                ambiguous = await self._ambiguous_field(sub)
                raise DomainError(
                    f"The subscriber's {ambiguous} matches several customers; merge them or "
                    "edit the customer by hand.",
                    code=ErrorCode.AMBIGUOUS,
                    field=f"subscriber.{ambiguous}",
                )
            customer_id = (await self._subscriber(sub.id)).customer_id
        if customer_id is None:
            customer_id = await self._create(sub, now)
        else:
            await self._fill(customer_id, sub, now)
        await self._link(sub.id, customer_id)
        await customers_changed(self.session, self.shop_id, [int(customer_id)], now)
        return await self.actions.get(thread_id), int(customer_id)

    async def _subscriber(self, subscriber_id: int, *, lock: bool = False) -> Any:
        s = t.subscriber
        query = select(s).where(s.c.shop_id == self.shop_id, s.c.id == subscriber_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).one()

    async def _ambiguous_field(self, sub: Any) -> str:
        c = t.customer
        if sub.phone_normalized is None:
            return "email"
        count = await self.session.scalar(
            select(func.count())
            .select_from(c)
            .where(c.c.shop_id == self.shop_id, c.c.phone_normalized == sub.phone_normalized)
        )
        return "phone" if (count or 0) > 1 else "email"

    async def _fill(self, customer_id: int, sub: Any, now: datetime) -> None:
        c = t.customer
        values: dict[str, Any] = {
            name: func.coalesce(func.nullif(c.c[name], ""), sub._mapping[name])
            for name in SYNCED_FIELDS
        }
        values["phone_normalized"] = func.coalesce(c.c.phone_normalized, sub.phone_normalized)
        values["email_normalized"] = func.coalesce(c.c.email_normalized, sub.email_normalized)
        values["carrier"] = func.coalesce(c.c.carrier, carrier_of(sub.phone_normalized))
        if sub.gender != "unknown":
            values["gender"] = func.coalesce(func.nullif(c.c.gender, "unknown"), sub.gender)
        values["updated_at"] = now
        await self.session.execute(
            update(c).where(c.c.shop_id == self.shop_id, c.c.id == customer_id).values(values)
        )

    async def _create(self, sub: Any, now: datetime) -> int:
        customer_id = await self.session.scalar(
            insert(t.customer)
            .values(
                shop_id=self.shop_id,
                **{name: sub._mapping[name] for name in SYNCED_FIELDS},
                gender=sub.gender,
                phone_normalized=sub.phone_normalized,
                email_normalized=sub.email_normalized,
                carrier=carrier_of(sub.phone_normalized),
                created_at=now,
                updated_at=now,
            )
            .returning(t.customer.c.id)
        )
        assert customer_id is not None
        return int(customer_id)

    async def _link(self, subscriber_id: int, customer_id: int) -> None:
        s, th = t.subscriber, t.thread
        await self.session.execute(
            update(s)
            .where(s.c.shop_id == self.shop_id, s.c.id == subscriber_id)
            .values(customer_id=customer_id)
        )
        await self.session.execute(
            update(th)
            .where(
                th.c.shop_id == self.shop_id,
                th.c.subscriber_id == subscriber_id,
                th.c.customer_id.is_(None),
            )
            .values(customer_id=customer_id)
        )
