"""`orderBy` on the customer, member and subscriber lists: keyset pages exact across ties and NULLs."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from infra import tables as t
from tests.conftest import SHOP_ID, GraphQL
from tests.factories import make_customer, make_member, make_page, make_subscriber, make_tag

CUSTOMERS = """
query Customers($order: CustomerOrder, $first: Int, $after: String, $filter: ProfileFilter) {
  customers(orderBy: $order, first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id tags { name } }
  }
}
"""
MEMBERS = """
query Members($order: MemberOrder, $first: Int, $after: String) {
  members(orderBy: $order, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}
"""
SUBSCRIBERS = """
query Subscribers($order: SubscriberOrder, $first: Int, $after: String) {
  subscribers(orderBy: $order, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}
"""
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def _walk(gql: GraphQL, query: str, order: dict[str, str], size: int) -> list[str]:
    """Every id of the list, page by page."""
    found: list[str] = []
    after = None
    for _ in range(50):
        body = await gql(query, {"order": order, "first": size, "after": after})
        assert "errors" not in body, body
        conn = next(iter(body["data"].values()))
        found += [n["id"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return found
        after = conn["pageInfo"]["endCursor"]
    raise AssertionError("paging does not end")


def _expected(rows: dict[int, Any], descending: bool) -> list[int]:
    """Values in the direction, ties by id in the same direction, rows without a value last."""
    with_value = sorted(((v, i) for i, v in rows.items() if v is not None), reverse=descending)
    without = sorted((i for i, v in rows.items() if v is None), reverse=descending)
    return [i for _, i in with_value] + without


async def _check(gql: GraphQL, query: str, by: str, values: dict[int, Any]) -> None:
    kind = query.split()[1].split("(")[0][:-1]
    for direction in ("ASC", "DESC"):
        expected = [to_base64(kind, i) for i in _expected(values, direction == "DESC")]
        for size in (1, 2, 3, 100):
            assert await _walk(gql, query, {"by": by, "direction": direction}, size) == expected, (
                by,
                direction,
                size,
            )


@pytest.mark.spec("L4", "X4")
async def test_customers_sort_with_ties_and_nulls(
    gql: GraphQL, session: AsyncSession, driver_fetches: list[str]
) -> None:
    spec = [
        ("an", 500, 3, T0),
        ("bình", 500, 1, None),
        ("Đức", 100, 3, T0 + timedelta(days=2)),
        ("dung", 900, 0, None),
        (None, 500, 3, T0),
        ("Ánh", 0, 2, T0),
    ]
    ids: list[int] = []
    for name, spent, orders, last in spec:
        cid = await make_customer(
            session, full_name=name, total_spent=spent, orders_count=orders, last_order_at=last
        )
        ids.append(cid)
    vip = await make_tag(session, name="VIP")
    await session.execute(
        insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=ids[2], tag_id=vip)
    )
    folded = ["an", "binh", "duc", "dung", None, "anh"]
    await _check(
        gql, CUSTOMERS, "TOTAL_SPENT", {i: Decimal(s[1]) for i, s in zip(ids, spec, strict=True)}
    )
    await _check(gql, CUSTOMERS, "ORDERS_COUNT", {i: s[2] for i, s in zip(ids, spec, strict=True)})
    await _check(gql, CUSTOMERS, "LAST_ORDER", {i: s[3] for i, s in zip(ids, spec, strict=True)})
    await _check(gql, CUSTOMERS, "NAME", dict(zip(ids, folded, strict=True)))
    await _check(gql, CUSTOMERS, "CREATED", {i: n for n, i in enumerate(ids)})

    filtered = await gql(
        CUSTOMERS, {"order": {"by": "TOTAL_SPENT"}, "filter": {"ordersCount": {"equals": 3}}}
    )
    assert filtered["data"]["customers"]["totalCount"] == 3
    assert [n["id"] for n in filtered["data"]["customers"]["nodes"]] == [
        to_base64("Customer", ids[i]) for i in (4, 0, 2)
    ]
    assert [n["tags"] for n in filtered["data"]["customers"]["nodes"]] == [
        [],
        [],
        [{"name": "VIP"}],
    ]
    # Repeated sorted pages, first and resumed, with and without a value at the cursor, were
    # read from kept statements; the walks above checked every one of them.
    # Resuming past the last value (a page ending on a customer who never ordered) came once
    # per walk above; walked again, it is read from its kept statement too.
    last_order = {i: s[3] for i, s in zip(ids, spec, strict=True)}
    await _check(gql, CUSTOMERS, "LAST_ORDER", last_order)
    reads = [sql for sql in driver_fetches if "sort_value" in sql]
    assert any("(customer.total_spent, customer.id) < ($" in sql for sql in reads)
    assert any("(customer.full_name_folded, customer.id) > ($" in sql for sql in reads)
    assert any("customer.last_order_at IS NULL AND customer.id < $" in sql for sql in reads)


@pytest.mark.spec("L4")
async def test_members_and_subscribers_sort(gql: GraphQL, session: AsyncSession) -> None:
    members: list[int] = []
    points = [300, 100, 300, 0]
    spent = [10, 20, 10, 5]
    for p, s in zip(points, spent, strict=True):
        customer = await make_customer(session, total_spent=s)
        member = await make_member(session, customer_id=customer, points_balance=p)
        members.append(member)
    await _check(gql, MEMBERS, "POINTS", dict(zip(members, points, strict=True)))
    await _check(gql, MEMBERS, "TOTAL_SPENT", dict(zip(members, spent, strict=True)))

    page = await make_page(session)
    subs: list[int] = []
    seen = [T0, None, T0 + timedelta(hours=1), None, T0]
    for last in seen:
        sub = await make_subscriber(session, page_id=page, last_interaction_at=last)
        subs.append(sub)
    await _check(gql, SUBSCRIBERS, "LAST_INTERACTION", dict(zip(subs, seen, strict=True)))


@pytest.mark.spec("X4")
async def test_cursor_of_another_order_is_refused(gql: GraphQL, session: AsyncSession) -> None:
    for _ in range(3):
        await make_customer(session)
    body = await gql(CUSTOMERS, {"order": {"by": "TOTAL_SPENT"}, "first": 1})
    cursor = body["data"]["customers"]["pageInfo"]["endCursor"]
    for order in ({"by": "ORDERS_COUNT"}, {"by": "TOTAL_SPENT", "direction": "ASC"}, None):
        refused = await gql(CUSTOMERS, {"order": order, "first": 1, "after": cursor})
        assert refused["data"] is None, order
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert refused["errors"][0]["extensions"]["field"] == "after"
    plain = await gql(CUSTOMERS, {"first": 1})
    id_cursor = plain["data"]["customers"]["pageInfo"]["endCursor"]
    refused = await gql(CUSTOMERS, {"order": {"by": "NAME"}, "after": id_cursor})
    assert refused["errors"][0]["extensions"]["field"] == "after"


@pytest.mark.parametrize(
    ("by", "position"),
    [
        ("TOTAL_SPENT", '"abc", 1'),  # decimal's InvalidOperation is no ValueError
        ("TOTAL_SPENT", '"1e999999", 1'),  # past numeric's range
        ("TOTAL_SPENT", '"NaN", 1'),
        ("ORDERS_COUNT", "99999999999999999999, 1"),  # past the 32-bit column
        ("LAST_ORDER", '"0001-01-01T00:00:00+14:00", 1'),  # before the calendar in UTC
        ("NAME", '"a\\u0000", 1'),  # PostgreSQL takes no NUL
        ("NAME", '"a", 99999999999999999999'),  # an id past bigint
    ],
)
async def test_a_forged_cursor_value_is_refused_not_run(
    gql: GraphQL, session: AsyncSession, by: str, position: str
) -> None:
    """The cursor is the client's to keep; a value no stored row could give reached the
    statement and failed it: an internal error."""
    await make_customer(session)
    raw = f'c:["{by.lower()}","desc",{position}]'
    cursor = base64.b64encode(raw.encode()).decode()
    refused = await gql(CUSTOMERS, {"order": {"by": by}, "first": 1, "after": cursor})
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
