"""Orders and customer details taken from a thread, and Shopee's refusals (SPEC C10, X1)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from infra import tables as t
from tests.conftest import GraphQL
from tests.factories import (
    T0,
    make_customer,
    make_page,
    make_subscriber,
    make_thread,
    store_segment_members,
)

ORDER = """
mutation($input: ThreadOrderCreateInput!) {
  threadOrderCreate(input: $input) {
    order { id totalAmount }
    thread { hasOrder }
    customer { ordersCount totalSpent lastOrderAt channels }
    userErrors { field message code }
  }
}
"""
SYNC = """
mutation($input: ThreadCustomerSyncInput!) {
  threadCustomerSync(input: $input) {
    thread { customer { id } }
    customer { id fullName firstName lastName gender phone email }
    userErrors { field message code }
  }
}
"""
MERGE = """
mutation($input: InboxMergeModeSetInput!) {
  inboxMergeModeSet(input: $input) { userErrors { code } }
}
"""


def gid(name: str, value: int) -> str:
    return to_base64(name, value)


async def count(session: AsyncSession, table: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def a_thread(
    session: AsyncSession, channel: str, customer_id: int | None = None, **subscriber: Any
) -> tuple[int, int, int]:
    page = await make_page(session, channel=channel)
    sub = await make_subscriber(session, page_id=page, customer_id=customer_id, **subscriber)
    thread = await make_thread(
        session, page_id=page, subscriber_id=sub, channel=channel, customer_id=customer_id
    )
    return page, sub, thread


def lines(*items: tuple[str, int, str]) -> list[dict[str, Any]]:
    return [{"sku": s, "quantity": q, "amount": a} for s, q, a in items]


@pytest.mark.spec("C10")
async def test_an_order_from_a_thread_updates_the_customer_exactly(
    gql: GraphQL, session: AsyncSession
) -> None:
    customer = await make_customer(session)
    await session.execute(
        t.order.insert().values(
            shop_id=1,
            customer_id=customer,
            channel="web",
            placed_at=T0,
            total_amount=100000,
        )
    )
    await session.execute(
        t.customer.update()
        .where(t.customer.c.id == customer)
        .values(orders_count=1, total_spent=100000, channels=["web"])
    )
    page, _, thread = await a_thread(session, "facebook", customer)
    await session.execute(t.store.insert().values(shop_id=1, code="HN01", name="Hà Nội 1"))
    await gql(MERGE, {"input": {"enabled": True, "pageIds": [gid("Page", page)]}})
    body = await gql(
        ORDER,
        {
            "input": {
                "threadId": gid("Thread", thread),
                "lines": lines(("AO-THUN-NEW", 2, "300000"), ("QUAN-JEAN", 1, "450000")),
                "store": "HN01",
            }
        },
    )
    assert "errors" not in body, body
    payload = body["data"]["threadOrderCreate"]
    assert payload["userErrors"] == []
    assert payload["order"]["totalAmount"] == "750000"
    assert payload["thread"] == {"hasOrder": True}
    assert payload["customer"]["ordersCount"] == 2
    assert payload["customer"]["totalSpent"] == 850000
    assert payload["customer"]["lastOrderAt"].startswith("2026-11-23T03:00:00")
    assert sorted(payload["customer"]["channels"]) == ["FACEBOOK", "WEB"]
    order = (
        await session.execute(select(t.order).where(t.order.c.id == payload["order"]["id"]))
    ).one()
    assert (order.channel, order.customer_id, order.total_amount) == ("facebook", customer, 750000)
    assert order.store_id is not None
    product = await session.scalar(select(t.product.c.name).where(t.product.c.sku == "AO-THUN-NEW"))
    assert product == "AO-THUN-NEW"
    stored = await session.scalar(
        select(func.count()).select_from(t.order_line).where(t.order_line.c.order_id == order.id)
    )
    assert stored == 2


@pytest.mark.spec("C10")
async def test_shopee_cannot_create_orders_and_nothing_is_stored(
    gql: GraphQL, session: AsyncSession
) -> None:
    customer = await make_customer(session)
    _, _, thread = await a_thread(session, "shopee", customer)
    before = [await count(session, x) for x in (t.order, t.order_line, t.product)]
    body = await gql(
        ORDER, {"input": {"threadId": gid("Thread", thread), "lines": lines(("NEW-SKU", 1, "1"))}}
    )
    errors = body["data"]["threadOrderCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("input.threadId", "UNSUPPORTED_BY_CHANNEL")
    ]
    assert [await count(session, x) for x in (t.order, t.order_line, t.product)] == before
    row = (await session.execute(select(t.thread).where(t.thread.c.id == thread))).one()
    assert row.has_order is False


@pytest.mark.spec("C10")
@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        ([], "input.lines", "INVALID"),
        (lines(("A", 1, "1")) * 101, "input.lines", "LIMIT_EXCEEDED"),
        (lines(("A", 1, "1"), ("B", 0, "1")), "input.lines.1.quantity", "INVALID"),
        (lines(("A", 1, "-5")), "input.lines.0.amount", "INVALID"),
        (lines(("A", 1, "1.5")), "input.lines.0.amount", "INVALID"),
        (lines(("A", 1, "NaN")), "input.lines.0.amount", "INVALID"),  # was an internal error
        (lines(("A", 1, "Infinity")), "input.lines.0.amount", "INVALID"),
        (lines(("A", 1, "1e13")), "input.lines.0.amount", "INVALID"),
        (lines((" ", 1, "5")), "input.lines.0.sku", "INVALID"),
    ],
)
async def test_order_lines_are_validated_with_field_paths(
    gql: GraphQL, session: AsyncSession, given: list[dict[str, Any]], field: str, code: str
) -> None:
    _, _, thread = await a_thread(session, "zalo", await make_customer(session))
    body = await gql(ORDER, {"input": {"threadId": gid("Thread", thread), "lines": given}})
    errors = body["data"]["threadOrderCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert await count(session, t.order) == 0


@pytest.mark.spec("C10")
async def test_an_order_needs_a_customer_first(gql: GraphQL, session: AsyncSession) -> None:
    _, _, thread = await a_thread(session, "facebook")
    body = await gql(
        ORDER, {"input": {"threadId": gid("Thread", thread), "lines": lines(("A", 1, "1"))}}
    )
    error = body["data"]["threadOrderCreate"]["userErrors"][0]
    assert error["code"] == "CONFLICT"
    assert "customer first" in error["message"]
    assert await count(session, t.order) == 0


@pytest.mark.spec("C10", "X1")
async def test_sync_creates_a_customer_and_links_the_subscriber_and_threads(
    gql: GraphQL, session: AsyncSession
) -> None:
    page, sub, thread = await a_thread(
        session,
        "facebook",
        full_name="Trần Thị Mai",
        first_name="Mai",
        last_name="Trần",
        gender="female",
        phone="0912345678",
        email="mai@example.vn",
        email_normalized="mai@example.vn",
    )
    other = await make_thread(session, page_id=page, subscriber_id=sub)
    body = await gql(SYNC, {"input": {"threadId": gid("Thread", thread)}})
    payload = body["data"]["threadCustomerSync"]
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert {k: v for k, v in customer.items() if k != "id"} == {
        "fullName": "Trần Thị Mai",
        "firstName": "Mai",
        "lastName": "Trần",
        "gender": "FEMALE",
        "phone": "0912345678",
        "email": "mai@example.vn",
    }
    assert payload["thread"]["customer"]["id"] == customer["id"]
    linked = await session.scalars(
        select(t.thread.c.customer_id).where(t.thread.c.id.in_([thread, other]))
    )
    subscriber_customer = await session.scalar(
        select(t.subscriber.c.customer_id).where(t.subscriber.c.id == sub)
    )
    assert len(set(linked.all()) | {subscriber_customer}) == 1
    assert subscriber_customer is not None


@pytest.mark.spec("C10")
async def test_sync_fills_only_empty_fields_of_the_linked_customer(
    gql: GraphQL, session: AsyncSession
) -> None:
    customer = await make_customer(session, full_name="Chị Lan", phone=None, gender="unknown")
    _, _, thread = await a_thread(
        session, "zalo", customer, full_name="Lan Zalo", phone="0987654321", gender="female"
    )
    body = await gql(SYNC, {"input": {"threadId": gid("Thread", thread)}})
    synced = body["data"]["threadCustomerSync"]["customer"]
    assert (synced["fullName"], synced["phone"], synced["gender"]) == (
        "Chị Lan",
        "0987654321",
        "FEMALE",
    )
    assert await count(session, t.customer) == 1


@pytest.mark.spec("C10", "X1")
async def test_sync_refuses_an_ambiguous_phone(gql: GraphQL, session: AsyncSession) -> None:
    await make_customer(session, phone="0901111222")
    await make_customer(session, phone="+84901111222")
    _, sub, thread = await a_thread(session, "facebook", phone="0901111222")
    body = await gql(SYNC, {"input": {"threadId": gid("Thread", thread)}})
    errors = body["data"]["threadCustomerSync"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("subscriber.phone", "AMBIGUOUS")]
    assert await count(session, t.customer) == 2
    linked = await session.scalar(
        select(t.subscriber.c.customer_id).where(t.subscriber.c.id == sub)
    )
    assert linked is None


@pytest.mark.spec("C10")
async def test_shopee_customer_details_are_edited_by_hand(
    gql: GraphQL, session: AsyncSession
) -> None:
    _, sub, thread = await a_thread(session, "shopee", full_name="Shopee Buyer", phone="0933444555")
    before = await count(session, t.customer)
    body = await gql(SYNC, {"input": {"threadId": gid("Thread", thread)}})
    errors = body["data"]["threadCustomerSync"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("input.threadId", "UNSUPPORTED_BY_CHANNEL")
    ]
    assert "by hand" in errors[0]["message"]
    assert await count(session, t.customer) == before
    linked = await session.scalar(
        select(t.subscriber.c.customer_id).where(t.subscriber.c.id == sub)
    )
    assert linked is None


@pytest.mark.spec("C10", "X1")
async def test_sync_links_the_one_customer_sharing_the_email(
    gql: GraphQL, session: AsyncSession
) -> None:
    customer = await make_customer(session, email="hoa@example.vn", phone=None)
    _, sub, thread = await a_thread(
        session,
        "instagram",
        email="Hoa@Example.vn",
        email_normalized="hoa@example.vn",
        phone="0977000111",
    )
    body = await gql(SYNC, {"input": {"threadId": gid("Thread", thread)}})
    payload = body["data"]["threadCustomerSync"]
    assert payload["userErrors"] == []
    assert payload["customer"]["id"] == gid("Customer", customer)
    assert payload["customer"]["phone"] == "0977000111"
    assert await count(session, t.customer) == 1
    linked = await session.scalar(
        select(t.subscriber.c.customer_id).where(t.subscriber.c.id == sub)
    )
    assert linked == customer


@pytest.mark.spec("C10", "X3")
async def test_an_order_from_a_thread_moves_the_customer_into_segments_at_once(
    gql: GraphQL, session: AsyncSession, shop: int
) -> None:
    from domain.filters import Attr, Compare, Group, Range
    from infra.repositories.segments import SegmentRepository
    from tests.conftest import FIXED_NOW

    customer = await make_customer(session)
    _, _, thread = await a_thread(session, "zalo", customer_id=customer)
    staff = await session.scalar(
        t.staff.insert().values(shop_id=shop, name="Quản lý", role="owner").returning(t.staff.c.id)
    )
    buyers = Group((Compare(Attr.ORDERS_COUNT, Range(minimum=1)),))
    segment = await SegmentRepository(session, shop).create(
        name="Đã mua", group=buyers, staff_id=staff, now=FIXED_NOW
    )
    await store_segment_members(session, FIXED_NOW)

    body = await gql(
        ORDER, {"input": {"threadId": gid("Thread", thread), "lines": lines(("SP-1", 1, "90000"))}}
    )

    assert body["data"]["threadOrderCreate"]["userErrors"] == []
    members = await session.scalars(
        select(t.segment_member.c.customer_id).where(t.segment_member.c.segment_id == segment.id)
    )
    assert set(members) == {customer}
    entered = await session.scalar(
        select(func.count())
        .select_from(t.event_outbox)
        .where(t.event_outbox.c.type == "segment.member_entered")
    )
    assert entered == 1
