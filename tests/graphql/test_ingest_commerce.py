"""Bulk upserts of customers, orders, members and points: idempotent, per-item errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import SHOP_ID, GraphQL
from tests.factories import make_customer, make_page, make_subscriber

CUSTOMERS = """
mutation Customers($input: CustomerBulkUpsertInput!) {
  customerBulkUpsert(input: $input) {
    results { index externalId id created }
    itemErrors { index field code message }
    linkConflicts { index subscriberId customerIds }
    userErrors { field code message }
  }
}
"""

ORDERS = """
mutation Orders($input: OrderBulkUpsertInput!) {
  orderBulkUpsert(input: $input) {
    results { index externalId created }
    itemErrors { index field code message }
    userErrors { field code message }
  }
}
"""

MEMBERS = """
mutation Members($input: MemberBulkUpsertInput!) {
  memberBulkUpsert(input: $input) {
    results { index externalId created }
    itemErrors { index field code message }
    userErrors { field code message }
  }
}
"""

POINTS = """
mutation Points($input: PointEntryBulkRecordInput!) {
  pointEntryBulkRecord(input: $input) {
    results { index externalId created }
    itemErrors { index field code message }
    userErrors { field code message }
  }
}
"""

MEMBER_POINTS = """
query { members { nodes { memberCode points { available used pending } } } }
"""


async def upsert(gql: GraphQL, document: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    body = await gql(document, {"input": {"items": items}})
    assert "errors" not in body, body
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def count(session: AsyncSession, table: Any) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(table).where(table.c.shop_id == SHOP_ID)
        )
        or 0
    )


@pytest.mark.spec("L1", "X4")
async def test_a_total_spent_past_ten_quadrillion_is_kept(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    """Orders are below 10^13 VND each, and total spent was numeric(16, 0): a thousand of the
    largest overflowed it, an internal error that lost the batch."""
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}])
    largest = 9_999_999_999_999
    items = [order(f"o{i}", "k1", largest, now) for i in range(1000)]
    for part in (items[:500], items[500:]):
        assert len((await upsert(gql, ORDERS, part))["results"]) == 500
    result = await upsert(gql, ORDERS, [order("one-more", "k1", largest, now)])

    assert result["itemErrors"] == []
    assert await aggregates(session, "k1") == (1001, 1001 * largest, now, ["web"])
    body = await gql(
        "query($f: ProfileFilter) { customers(filter: $f) { totalCount nodes { totalSpent } } }",
        {"f": {"totalSpent": {"min": str(10**16)}}},
    )
    assert "errors" not in body, body
    assert body["data"]["customers"]["totalCount"] == 1
    assert body["data"]["customers"]["nodes"][0]["totalSpent"] == float(1001 * largest)


@pytest.mark.spec("L1", "X5")
async def test_a_retried_customer_batch_creates_nothing_twice(
    gql: GraphQL, session: AsyncSession
) -> None:
    items = [
        {"externalId": "c-1", "fullName": "Lê Thị Hoa", "phone": "0912.345.678"},
        {"externalId": "c-2", "fullName": "Trần Văn Nam", "email": " Nam@Example.VN "},
    ]
    first = await upsert(gql, CUSTOMERS, items)
    assert first["itemErrors"] == []
    assert first["userErrors"] == []
    assert [r["created"] for r in first["results"]] == [True, True]

    again = await upsert(gql, CUSTOMERS, [{**items[0], "address": "182 Lê Đại Hành"}, items[1]])
    assert [r["created"] for r in again["results"]] == [False, False]
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert await count(session, t.customer) == 2
    row = (await session.execute(select(t.customer).where(t.customer.c.external_id == "c-1"))).one()
    assert (row.phone_normalized, row.carrier, row.address) == (
        "0912345678",
        "vinaphone",
        "182 Lê Đại Hành",
    )
    assert row.full_name == "Lê Thị Hoa"


@pytest.mark.spec("X2", "L1")
async def test_a_phone_typed_in_full_width_digits_is_the_same_number(
    gql: GraphQL, session: AsyncSession
) -> None:
    """Full-width digits (East Asian keyboards) were kept as they were: the number matched no
    filter and had no carrier."""
    await upsert(gql, CUSTOMERS, [{"externalId": "w", "phone": "０９１２ ３４５ ６７８"}])
    row = (await session.execute(select(t.customer).where(t.customer.c.external_id == "w"))).one()
    assert (row.phone, row.phone_normalized, row.carrier) == (
        "０９１２ ３４５ ６７８",
        "0912345678",
        "vinaphone",
    )
    query = "query($f: ProfileFilter) { customers(filter: $f) { totalCount } }"
    for condition in ({"equals": "0912 345 678"}, {"startsWith": "０９１２"}):
        body = await gql(query, {"f": {"phone": condition}})
        assert body["data"]["customers"]["totalCount"] == 1, condition


@pytest.mark.spec("X5")
async def test_invalid_items_fail_alone_and_valid_ones_are_saved(
    gql: GraphQL, session: AsyncSession
) -> None:
    result = await upsert(
        gql,
        CUSTOMERS,
        [
            {"externalId": "ok-1", "fullName": "Phạm Minh"},
            {"externalId": "bad-mail", "email": "not-an-email"},
            {"externalId": "  ", "fullName": "No key"},
            {"externalId": "bad-phone", "phone": "12"},
            {"externalId": "ok-1", "fullName": "Twice"},
            {"externalId": "ok-2", "createdAt": "2026-01-01T00:00:00"},
        ],
    )
    assert [r["externalId"] for r in result["results"]] == ["ok-1"]
    errors = {(e["index"], e["field"], e["code"]) for e in result["itemErrors"]}
    assert errors == {
        (1, "items.1.email", "INVALID"),
        (2, "items.2.externalId", "INVALID"),
        (3, "items.3.phone", "INVALID"),
        (4, "items.4.externalId", "DUPLICATE"),
        (5, "items.5.createdAt", "INVALID"),
    }
    assert await count(session, t.customer) == 1


@pytest.mark.spec("X5")
async def test_an_oversized_batch_is_refused_whole(gql: GraphQL, session: AsyncSession) -> None:
    items = [{"externalId": f"c-{i}"} for i in range(1001)]
    result = await upsert(gql, CUSTOMERS, items)
    assert result["userErrors"] == [
        {
            "field": "items",
            "code": "LIMIT_EXCEEDED",
            "message": "A batch holds at most 1000 items; got 1001. Split it into several calls.",
        }
    ]
    assert result["results"] == []
    assert await count(session, t.customer) == 0


@pytest.mark.spec("X1")
async def test_new_customers_link_subscribers_unless_the_match_is_ambiguous(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    by_phone = await make_subscriber(session, page_id=page, phone="0912 345 678")
    by_mail = await make_subscriber(session, page_id=page, email_normalized="lan@example.vn")
    await make_customer(session, phone="0987654321", external_id=None)
    shared = await make_subscriber(session, page_id=page, phone="+84 987 654 321")

    result = await upsert(
        gql,
        CUSTOMERS,
        [
            {"externalId": "a", "phone": "+84912345678"},
            {"externalId": "b", "email": "LAN@example.vn"},
            {"externalId": "c", "phone": "0987.654.321"},
        ],
    )
    ids = {r["externalId"]: r["id"] for r in result["results"]}
    linked = dict(
        (await session.execute(select(t.subscriber.c.id, t.subscriber.c.customer_id))).all()
    )
    a, b = [
        await session.scalar(select(t.customer.c.id).where(t.customer.c.external_id == key))
        for key in ("a", "b")
    ]
    assert linked[by_phone] == a
    assert linked[by_mail] == b
    assert linked[shared] is None
    [conflict] = result["linkConflicts"]
    assert conflict["index"] == 2
    assert ids["c"] in conflict["customerIds"]
    assert len(conflict["customerIds"]) == 2


def order(
    key: str, customer: str, total: int, placed: datetime, channel: str = "WEB"
) -> dict[str, Any]:
    return {
        "externalId": key,
        "customerExternalId": customer,
        "channel": channel,
        "placedAt": placed.isoformat(),
        "totalAmount": str(total),
        "lines": [{"sku": "AO-01", "quantity": 1, "amount": str(total), "name": "Áo thun"}],
    }


async def aggregates(session: AsyncSession, external_id: str) -> tuple[Any, ...]:
    c = t.customer
    row = (
        await session.execute(
            select(c.c.orders_count, c.c.total_spent, c.c.last_order_at, c.c.channels).where(
                c.c.shop_id == SHOP_ID, c.c.external_id == external_id
            )
        )
    ).one()
    return tuple(row)


@pytest.mark.spec("L1", "X5")
async def test_orders_keep_customer_aggregates_exact(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}, {"externalId": "k2"}])
    earlier = now - timedelta(days=3)
    result = await upsert(
        gql,
        ORDERS,
        [
            order("o1", "k1", 100_000, earlier),
            order("o2", "k1", 250_000, now, "POS"),
            order("o3", "nobody", 1, now),
            {**order("o4", "k1", 5, now), "lines": [{"sku": "X", "quantity": 0, "amount": "5"}]},
        ],
    )
    assert [r["externalId"] for r in result["results"]] == ["o1", "o2"]
    assert {(e["index"], e["field"], e["code"]) for e in result["itemErrors"]} == {
        (2, "items.2.customerExternalId", "NOT_FOUND"),
        (3, "items.3.lines.0.quantity", "INVALID"),
    }
    assert await aggregates(session, "k1") == (2, 350_000, now, ["pos", "web"])

    # The same order sent again with a new total and moved to another customer.
    again = await upsert(
        gql, ORDERS, [order("o2", "k2", 40_000, now), order("o1", "k1", 100_000, earlier)]
    )
    assert [r["created"] for r in again["results"]] == [False, False]
    assert await aggregates(session, "k1") == (1, 100_000, earlier, ["web"])
    assert await aggregates(session, "k2") == (1, 40_000, now, ["web"])
    assert await count(session, t.order) == 2
    assert await count(session, t.order_line) == 2
    assert await count(session, t.product) == 1


@pytest.mark.spec("L1", "X4")
async def test_amounts_that_are_not_whole_vnd_within_bounds_are_item_errors(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    """NaN was an internal error, and Infinity or 1e400 a 'conflict' (the column overflowed)."""
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}])
    amounts = ["NaN", "Infinity", "-Infinity", "1e400", "10000000000000", "-1", "0.5"]
    items = [order(f"o{i}", "k1", 1, now) for i in range(len(amounts))]
    for item, amount in zip(items, amounts, strict=True):
        item["totalAmount"] = amount
    items += [
        {**order("line", "k1", 1, now), "lines": [{"sku": "X", "quantity": 1, "amount": "NaN"}]}
    ]

    result = await upsert(gql, ORDERS, [*items, order("fine", "k1", 9_999_999_999_999, now)])

    assert [r["externalId"] for r in result["results"]] == ["fine"]
    assert [(e["field"], e["code"]) for e in result["itemErrors"]] == [
        *((f"items.{i}.totalAmount", "INVALID") for i in range(len(amounts))),
        (f"items.{len(amounts)}.lines.0.amount", "INVALID"),
    ]
    assert "got NaN" in result["itemErrors"][0]["message"]
    assert await aggregates(session, "k1") == (1, 9_999_999_999_999, now, ["web"])


@pytest.mark.spec("L1", "X4")
async def test_an_error_quotes_a_long_bad_value_cut_short(gql: GraphQL) -> None:
    """A bad value of 100 KB was repeated whole in its item error."""
    long = "Nguyễn Văn " * 10_000
    result = await upsert(gql, CUSTOMERS, [{"externalId": "k1", "email": long, "phone": long}])

    messages = {e["field"]: e["message"] for e in result["itemErrors"]}
    assert set(messages) <= {"items.0.email", "items.0.phone"}
    for message in messages.values():
        assert message.startswith("'Nguyễn Văn Nguyễn Văn")
        assert "…" in message
        assert len(message) < 200


@pytest.mark.spec("L1", "X4")
async def test_times_outside_the_calendar_in_utc_are_item_errors(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    """They were an overflow in the driver, reported as a conflict with stored data."""
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}])
    times = ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-07:00", "0001-01-01T07:00:00+07:00"]
    items = [{**order(f"o{i}", "k1", 1, now), "placedAt": at} for i, at in enumerate(times)]

    result = await upsert(gql, ORDERS, items)

    assert [r["externalId"] for r in result["results"]] == ["o2"]
    assert [(e["field"], e["code"]) for e in result["itemErrors"]] == [
        ("items.0.placedAt", "INVALID"),
        ("items.1.placedAt", "INVALID"),
    ]


@pytest.mark.spec("L4", "X4")
async def test_a_balance_past_its_column_is_an_item_error_for_the_entries_that_pass_it(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    """25 entries of 100,000,000 points overflowed the 32-bit balance: an internal error that
    lost the whole batch. The entries that would pass 2,000,000,000 fail alone now."""
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}])
    member = {"externalId": "m1", "customerExternalId": "k1", "memberCode": "M1"}
    await upsert(gql, MEMBERS, [{**member, "memberSince": now.isoformat()}])
    earn = {"memberExternalId": "m1", "kind": "EARN", "points": 100_000_000}
    items = [{**earn, "externalId": f"e{i}", "occurredAt": now.isoformat()} for i in range(25)]
    items.append({**earn, "externalId": "late", "occurredAt": "9999-12-31T23:00:00Z"})

    result = await upsert(gql, POINTS, items)

    assert len(result["results"]) == 20
    assert [(e["index"], e["field"], e["code"]) for e in result["itemErrors"]] == [
        *((i, f"items.{i}.points", "LIMIT_EXCEEDED") for i in range(20, 25)),
        (25, "items.25.occurredAt", "INVALID"),  # available 30 days later: past the calendar
    ]
    balance = await session.scalar(select(t.member.c.points_balance))
    assert balance == 2_000_000_000


@pytest.mark.spec("L4", "X5")
async def test_points_ledger_pending_available_used(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    await upsert(gql, CUSTOMERS, [{"externalId": "k1"}, {"externalId": "k2"}])
    members = await upsert(
        gql,
        MEMBERS,
        [
            {
                "externalId": "m1",
                "customerExternalId": "k1",
                "memberCode": "VIP1",
                "memberSince": now.isoformat(),
                "tier": "gold",
            },
            {
                "externalId": "m2",
                "customerExternalId": "k2",
                "memberCode": "VIP1",
                "memberSince": now.isoformat(),
            },
            {
                "externalId": "m3",
                "customerExternalId": "ghost",
                "memberCode": "VIP3",
                "memberSince": now.isoformat(),
            },
        ],
    )
    assert [r["externalId"] for r in members["results"]] == ["m1"]
    assert {(e["index"], e["code"]) for e in members["itemErrors"]} == {
        (1, "DUPLICATE"),
        (2, "NOT_FOUND"),
    }

    def entry(key: str, kind: str, points: int, at: datetime) -> dict[str, Any]:
        return {
            "externalId": key,
            "memberExternalId": "m1",
            "kind": kind,
            "points": points,
            "occurredAt": at.isoformat(),
        }

    batch = [
        entry("e1", "EARN", 300, now - timedelta(days=2)),
        entry("e2", "EARN", 100, now - timedelta(hours=1)),
        entry("s1", "SPEND", 120, now),
        entry("s2", "SPEND", 500, now),
        entry("x1", "EXPIRE", 30, now),
        entry("a0", "ADJUST", 0, now),
    ]
    result = await upsert(gql, POINTS, batch)
    assert [r["externalId"] for r in result["results"]] == ["e1", "e2", "s1", "x1"]
    assert {(e["index"], e["code"]) for e in result["itemErrors"]} == {
        (3, "INSUFFICIENT_POINTS"),
        (5, "INVALID"),
    }
    expected = {"available": 150, "used": 120, "pending": 100}
    body = await gql(MEMBER_POINTS)
    assert body["data"]["members"]["nodes"][0]["points"] == expected

    retried = await upsert(gql, POINTS, batch[:3])
    assert [r["created"] for r in retried["results"]] == [False, False, False]
    body = await gql(MEMBER_POINTS)
    assert body["data"]["members"]["nodes"][0]["points"] == expected

    pe, m = t.point_entry, t.member
    ledger = await session.scalar(select(func.sum(pe.c.points)).where(pe.c.shop_id == SHOP_ID))
    spent = await session.scalar(
        select(-func.sum(pe.c.points)).where(pe.c.shop_id == SHOP_ID, pe.c.kind == "spend")
    )
    row = (await session.execute(select(m.c.points_balance, m.c.points_used))).one()
    assert (row.points_balance, row.points_used) == (ledger, spent) == (250, 120)
    # the member knows until when earned points may be pending: the latest earned entry's
    latest = await session.scalar(select(func.max(pe.c.available_at)).where(pe.c.kind == "earn"))
    assert await session.scalar(select(m.c.points_pending_until)) == latest
    # points asked for through the filter agree with the ledger (100 of 250 still pending)
    body = await gql("{ members(filter: {points: {min: 150, max: 150}}) { totalCount } }")
    assert body["data"]["members"]["totalCount"] == 1
    # under an OR, where a count joins the members' set, planned with the request's instant
    either = '{or: [{points: {min: 150, max: 150}}, {fullName: {equals: "nobody at all"}}]}'
    for list_name in ("members", "customers"):
        body = await gql(f"{{ {list_name}(filter: {either}) {{ totalCount }} }}")
        assert body["data"][list_name]["totalCount"] == 1, body
