"""Row factories with keyword overrides; every row goes through the real tables."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.filters import Attr, Compare, Group, Range
from domain.phone import carrier_of, normalize_phone
from infra import tables as t
from infra.database import within
from infra.ingest.orders import recompute_aggregates
from infra.segment_events import Changes, drop_segments, store_segments

_counter = itertools.count(1)
SHOP_ID = 1
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def _insert(session: AsyncSession, table: Any, values: dict[str, Any]) -> int:
    result = await session.execute(insert(table).values(**values).returning(table.c.id))
    return int(result.scalar_one())


async def make_customer(session: AsyncSession, **overrides: Any) -> int:
    n = next(_counter)
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "full_name": f"Nguyễn Văn Khách {n}",
        "first_name": "Khách",
        "last_name": "Nguyễn",
        "gender": "unknown",
    }
    values.update(overrides)
    if "phone" in values and "phone_normalized" not in values:
        values["phone_normalized"] = normalize_phone(values["phone"])
        values["carrier"] = carrier_of(values["phone_normalized"])
    if values.get("email") and "email_normalized" not in values:
        values["email_normalized"] = values["email"].strip().lower()
    return await _insert(session, t.customer, values)


async def make_page(session: AsyncSession, **overrides: Any) -> int:
    n = next(_counter)
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "channel": "facebook",
        "external_id": f"page-{n}",
        "name": f"Trang {n}",
    }
    values.update(overrides)
    return await _insert(session, t.page, values)


async def make_subscriber(session: AsyncSession, *, page_id: int, **overrides: Any) -> int:
    n = next(_counter)
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "page_id": page_id,
        "platform_user_id": f"psid-{n}",
        "full_name": f"Người Theo Dõi {n}",
    }
    values.update(overrides)
    if "phone" in values and "phone_normalized" not in values:
        values["phone_normalized"] = normalize_phone(values["phone"])
    return await _insert(session, t.subscriber, values)


async def make_member(session: AsyncSession, *, customer_id: int, **overrides: Any) -> int:
    n = next(_counter)
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "customer_id": customer_id,
        "member_code": f"M{n:06d}",
        "tier": "silver",
        "member_since": T0,
    }
    values.update(overrides)
    return await _insert(session, t.member, values)


async def make_webhook_subscription(
    session: AsyncSession, url: str, event_types: list[str], **overrides: Any
) -> int:
    """A subscription saved as given: the API would refuse a receiver on this machine."""
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "url": url,
        "secret": "whsec_test",
        "event_types": event_types,
    }
    return await _insert(session, t.webhook_subscription, values | overrides)


async def make_tag(session: AsyncSession, **overrides: Any) -> int:
    n = next(_counter)
    values: dict[str, Any] = {"shop_id": SHOP_ID, "name": f"Tag {n}"}
    values.update(overrides)
    return await _insert(session, t.tag, values)


async def make_thread(
    session: AsyncSession, *, page_id: int, subscriber_id: int, **overrides: Any
) -> int:
    values: dict[str, Any] = {
        "shop_id": SHOP_ID,
        "page_id": page_id,
        "subscriber_id": subscriber_id,
        "channel": "facebook",
        "last_message_at": T0,
    }
    values.update(overrides)
    return await _insert(session, t.thread, values)


async def make_order(
    session: AsyncSession,
    customer_id: int,
    placed_at: datetime,
    *,
    shop_id: int = SHOP_ID,
    **overrides: Any,
) -> int:
    """An order, with the customer's figures (orders, total, last order) recomputed from its
    orders as every write of orders does."""
    values: dict[str, Any] = {
        "shop_id": shop_id,
        "customer_id": customer_id,
        "channel": "web",
        "placed_at": placed_at,
        "total_amount": 1,
    }
    values.update(overrides)
    order_id = await _insert(session, t.order, values)
    await recompute_aggregates(session, shop_id, [customer_id])
    return order_id


async def store_segment_members(session: AsyncSession, now: datetime) -> dict[int, Changes]:
    """The job worker's `store_segment_members` pass, in the test's transaction: the members
    of every segment created or redefined since, by segment id; and the removal of deleted
    segments' members."""
    stored = await store_segments(within(session), now, behind_only=True)
    await drop_segments(within(session))
    return stored


def orders_at_least(orders: int) -> Group:
    """A segment definition: customers with at least ``orders`` orders."""
    return Group((Compare(Attr.ORDERS_COUNT, Range(minimum=Decimal(orders))),))
