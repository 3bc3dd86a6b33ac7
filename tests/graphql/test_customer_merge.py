"""customerMerge: duplicates fold into a survivor, which keeps exact aggregates (X1, X3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from domain.customer import Channel
from domain.ingest_commerce import CustomerItem, MemberItem, OrderItem
from infra import tables as t
from infra.ingest.customers import upsert_customers
from infra.ingest.members import upsert_members
from infra.ingest.orders import upsert_orders
from tests.conftest import FIXED_NOW, SHOP_ID, GraphQL, StatementLog
from tests.factories import (
    make_page,
    make_subscriber,
    make_tag,
    make_thread,
    store_segment_members,
)

MERGE = """
mutation($input: CustomerMergeInput!) {
  customerMerge(input: $input) {
    customer { id phone email ordersCount totalSpent channels }
    mergedIds movedOrders movedSubscribers movedThreads
    userErrors { field message code }
  }
}
"""


SEGMENT = """
mutation($input: SegmentCreateInput!) { segmentCreate(input: $input) { userErrors { code } } }
"""


def gid(value: int) -> str:
    return to_base64("Customer", value)


async def customers(session: AsyncSession, now: datetime, *keys: str) -> dict[str, int]:
    outcome = await upsert_customers(
        session,
        SHOP_ID,
        [
            CustomerItem(external_id="a", full_name="Nguyễn Thị Lan", email="lan@example.vn"),
            CustomerItem(external_id="b", full_name="Lan Nguyễn", phone="0912 345 678"),
            CustomerItem(external_id="c", full_name="Lan N."),
        ],
        now,
    )
    return {r.external_id: r.id for r in outcome.results if r.external_id in keys}


async def order(
    session: AsyncSession, key: str, who: str, channel: Channel, at: datetime, vnd: int
) -> None:
    outcome = await upsert_orders(
        session,
        SHOP_ID,
        [OrderItem(key, who, channel, at, Decimal(vnd))],
        at,
    )
    assert outcome.errors == ()


async def member(session: AsyncSession, who: str, now: datetime) -> None:
    outcome = await upsert_members(
        session, SHOP_ID, [MemberItem(f"m-{who}", who, f"M-{who}", now)], now
    )
    assert outcome.errors == ()


async def count(session: AsyncSession, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for key, value in where.items():
        query = query.where(table.c[key] == value)
    return int(await session.scalar(query) or 0)


@pytest.mark.spec("X1", "X3")
async def test_merge_moves_everything_recomputes_aggregates_and_emits_the_event(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    a, b = ids["a"], ids["b"]
    await order(session, "o-1", "a", Channel.WEB, now - timedelta(days=9), 100_000)
    await order(session, "o-2", "b", Channel.POS, now - timedelta(days=2), 250_000)
    await order(session, "o-3", "b", Channel.FACEBOOK, now - timedelta(days=5), 50_000)
    await member(session, "b", now)
    shared = await make_tag(session, name="VIP")
    only_b = await make_tag(session, name="Sỉ")
    await session.execute(
        t.customer_tag.insert(),
        [
            {"shop_id": SHOP_ID, "customer_id": a, "tag_id": shared},
            {"shop_id": SHOP_ID, "customer_id": b, "tag_id": shared},
            {"shop_id": SHOP_ID, "customer_id": b, "tag_id": only_b},
        ],
    )
    page = await make_page(session)
    linked = await make_subscriber(session, page_id=page, customer_id=b)
    thread = await make_thread(session, page_id=page, subscriber_id=linked, customer_id=b)
    # Matches a by e-mail and b by phone: two people, so it was left unlinked.
    torn = await make_subscriber(
        session, page_id=page, phone="0912345678", email_normalized="lan@example.vn"
    )

    body = await gql(MERGE, {"input": {"survivorId": gid(a), "mergedIds": [gid(b)]}})
    payload = body["data"]["customerMerge"]
    assert payload["userErrors"] == []
    survivor_fields = dict(payload["customer"])
    assert sorted(survivor_fields.pop("channels")) == ["FACEBOOK", "POS", "WEB"]
    assert survivor_fields == {
        "id": gid(a),
        "phone": "0912 345 678",
        "email": "lan@example.vn",
        "ordersCount": 3,
        "totalSpent": 400000,
    }
    assert (payload["movedOrders"], payload["movedSubscribers"], payload["movedThreads"]) == (
        2,
        1,
        1,
    )
    assert payload["mergedIds"] == [gid(b)]

    c = t.customer
    survivor = (await session.execute(select(c).where(c.c.id == a))).one()
    assert survivor.last_order_at == now - timedelta(days=2)
    assert survivor.phone_normalized == "0912345678"
    assert await count(session, c, id=b) == 0
    assert await count(session, t.order, customer_id=a) == 3
    assert await count(session, t.member, customer_id=a) == 1
    assert sorted(
        (
            await session.execute(
                select(t.customer_tag.c.tag_id).where(t.customer_tag.c.customer_id == a)
            )
        ).scalars()
    ) == sorted([shared, only_b])
    s = t.subscriber
    links = dict(
        (
            await session.execute(select(s.c.id, s.c.customer_id).where(s.c.id.in_([linked, torn])))
        ).all()
    )
    assert links == {linked: a, torn: a}
    assert await session.scalar(select(t.thread.c.customer_id).where(t.thread.c.id == thread)) == a

    o = t.event_outbox
    [event] = (
        (await session.execute(select(o.c.payload).where(o.c.type == "customer.merged")))
        .scalars()
        .all()
    )
    assert event["survivorId"] == a
    assert event["mergedIds"] == [b]
    assert event["mergedExternalIds"] == ["b"]
    assert event["movedOrders"] == 2


@pytest.mark.spec("X1", "X3")
async def test_merged_customers_leave_their_segments_with_events(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    a, b, c = ids["a"], ids["b"], ids["c"]
    await order(session, "o-1", "b", Channel.WEB, now - timedelta(days=3), 100_000)
    created = []
    for name, definition in [
        ("Tên Lan", {"include": [{"fullName": {"contains": "lan"}}]}),  # a, b and c
        ("Đã mua", {"include": [{"ordersCount": {"min": 1}}]}),  # b; a after the merge
    ]:
        body = await gql(SEGMENT, {"input": {"name": name, "definition": definition}})
        assert body["data"]["segmentCreate"]["userErrors"] == []
        created.append(await session.scalar(select(t.segment.c.id).where(t.segment.c.name == name)))
    named, bought = created
    await store_segment_members(session, FIXED_NOW)

    body = await gql(MERGE, {"input": {"survivorId": gid(a), "mergedIds": [gid(b), gid(c)]}})
    assert body["data"]["customerMerge"]["userErrors"] == []

    sm, o = t.segment_member, t.event_outbox
    members = (await session.execute(select(sm.c.segment_id, sm.c.customer_id))).tuples().all()
    assert sorted(members) == sorted([(named, a), (bought, a)])
    events = (
        await session.execute(
            select(o.c.type, o.c.payload).where(o.c.type.like("segment.%")).order_by(o.c.id)
        )
    ).tuples()
    assert [(kind, dict(payload)) for kind, payload in events] == [
        ("segment.member_left", {"segment_id": named, "customer_id": b}),
        ("segment.member_left", {"segment_id": named, "customer_id": c}),
        ("segment.member_left", {"segment_id": bought, "customer_id": b}),
        ("segment.member_entered", {"segment_id": bought, "customer_id": a}),
    ]


@pytest.mark.spec("X1")
async def test_two_memberships_refuse_the_merge_and_change_nothing(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    await member(session, "b", now)
    await member(session, "c", now)
    await order(session, "o-9", "b", Channel.WEB, now, 10_000)

    body = await gql(
        MERGE, {"input": {"survivorId": gid(ids["a"]), "mergedIds": [gid(ids["b"]), gid(ids["c"])]}}
    )
    payload = body["data"]["customerMerge"]
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("input.mergedIds", "CONFLICT")
    ]
    assert await count(session, t.customer, id=ids["b"]) == 1
    assert await count(session, t.order, customer_id=ids["b"]) == 1
    assert await count(session, t.event_outbox, type="customer.merged") == 0


@pytest.mark.spec("X1")
async def test_bad_merge_requests_are_typed_errors(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b")
    a, b = ids["a"], ids["b"]
    cases = [
        ({"survivorId": gid(a), "mergedIds": []}, "input.mergedIds", "INVALID"),
        ({"survivorId": gid(a), "mergedIds": [gid(a)]}, "input.mergedIds.0", "INVALID"),
        ({"survivorId": gid(a), "mergedIds": [gid(b), gid(b)]}, "input.mergedIds.1", "DUPLICATE"),
        ({"survivorId": gid(a), "mergedIds": [gid(999999)]}, "input.mergedIds.0", "NOT_FOUND"),
        ({"survivorId": gid(999999), "mergedIds": [gid(b)]}, "input.survivorId", "NOT_FOUND"),
        (
            {"survivorId": gid(a), "mergedIds": [to_base64("Member", b)]},
            "input.mergedIds.0",
            "INVALID",
        ),
    ]
    for given, field, code in cases:
        payload = (await gql(MERGE, {"input": given}))["data"]["customerMerge"]
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)], given
    assert await count(session, t.customer) >= 2
    assert await count(session, t.customer, id=b) == 1


CUSTOMERS = """
mutation($input: CustomerBulkUpsertInput!) {
  customerBulkUpsert(input: $input) {
    results { index externalId id created }
    itemErrors { index field code message }
  }
}
"""

ORDERS = """
mutation($input: OrderBulkUpsertInput!) {
  orderBulkUpsert(input: $input) { results { index } itemErrors { index field code message } }
}
"""

MEMBERS = """
mutation($input: MemberBulkUpsertInput!) {
  memberBulkUpsert(input: $input) { results { index } itemErrors { index field code message } }
}
"""


async def external_ids_of(session: AsyncSession) -> dict[str | None, int]:
    c = t.customer
    rows = await session.execute(select(c.c.external_id, c.c.id).where(c.c.shop_id == SHOP_ID))
    return dict(rows.tuples().all())


@pytest.mark.spec("X1")
async def test_merged_external_ids_keep_resolving_to_the_survivor(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    a, b, c = ids["a"], ids["b"], ids["c"]
    body = await gql(MERGE, {"input": {"survivorId": gid(a), "mergedIds": [gid(b), gid(c)]}})
    assert body["data"]["customerMerge"]["userErrors"] == []

    # The partner still sends orders and members for "b" and "c": they land on the survivor.
    body = await gql(
        ORDERS,
        {
            "input": {
                "items": [
                    {
                        "externalId": "o-b",
                        "customerExternalId": "b",
                        "channel": "POS",
                        "placedAt": now.isoformat(),
                        "totalAmount": "150000",
                    }
                ]
            }
        },
    )
    assert body["data"]["orderBulkUpsert"]["itemErrors"] == []
    assert (
        await session.scalar(select(t.order.c.customer_id).where(t.order.c.external_id == "o-b"))
        == a
    )
    row = (await session.execute(select(t.customer).where(t.customer.c.id == a))).one()
    assert (row.orders_count, row.total_spent) == (1, 150_000)
    body = await gql(
        MEMBERS,
        {
            "input": {
                "items": [
                    {
                        "externalId": "m-c",
                        "customerExternalId": "c",
                        "memberCode": "M-C",
                        "memberSince": now.isoformat(),
                    }
                ]
            }
        },
    )
    assert body["data"]["memberBulkUpsert"]["itemErrors"] == []
    assert (
        await session.scalar(select(t.member.c.customer_id).where(t.member.c.external_id == "m-c"))
        == a
    )

    # A customer upsert for "b" updates the survivor instead of creating "b" again.
    body = await gql(
        CUSTOMERS,
        {"input": {"items": [{"externalId": "b", "address": "182 Lê Đại Hành"}]}},
    )
    payload = body["data"]["customerBulkUpsert"]
    assert payload["itemErrors"] == []
    assert payload["results"] == [{"index": 0, "externalId": "b", "id": gid(a), "created": False}]
    assert await external_ids_of(session) == {"a": a}
    assert await session.scalar(select(t.customer.c.address).where(t.customer.c.id == a)) == (
        "182 Lê Đại Hành"
    )

    # Two items for one customer: the first wins, as for a repeated external id.
    body = await gql(
        CUSTOMERS,
        {
            "input": {
                "items": [
                    {"externalId": "c", "fullName": "Lan Nguyễn Thị"},
                    {"externalId": "a", "fullName": "Nguyễn Lan"},
                    {"externalId": "b", "fullName": "Lan"},
                ]
            }
        },
    )
    payload = body["data"]["customerBulkUpsert"]
    assert [r["index"] for r in payload["results"]] == [0]
    assert [(e["index"], e["field"], e["code"]) for e in payload["itemErrors"]] == [
        (1, "items.1.externalId", "DUPLICATE"),
        (2, "items.2.externalId", "DUPLICATE"),
    ]
    assert payload["itemErrors"][0]["message"] == (
        "Item 0 already updates the customer with external id 'a' ('c' was merged into it);"
        " the first wins."
    )
    assert await session.scalar(select(t.customer.c.full_name).where(t.customer.c.id == a)) == (
        "Lan Nguyễn Thị"
    )


@pytest.mark.spec("X1")
async def test_a_survivor_without_external_id_takes_one_and_aliases_follow_later_merges(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    plain = await session.scalar(
        t.customer.insert().values(shop_id=SHOP_ID, full_name="Khách lẻ").returning(t.customer.c.id)
    )
    body = await gql(MERGE, {"input": {"survivorId": gid(ids["b"]), "mergedIds": [gid(ids["c"])]}})
    assert body["data"]["customerMerge"]["userErrors"] == []
    body = await gql(
        MERGE, {"input": {"survivorId": gid(plain), "mergedIds": [gid(ids["b"]), gid(ids["a"])]}}
    )
    assert body["data"]["customerMerge"]["userErrors"] == []

    # The survivor had none: it takes the first merged customer's; the rest are aliases.
    assert await external_ids_of(session) == {"b": plain}
    a_ = t.customer_alias
    aliases = dict(
        (await session.execute(select(a_.c.external_id, a_.c.customer_id))).tuples().all()
    )
    assert aliases == {"a": plain, "c": plain}
    body = await gql(CUSTOMERS, {"input": {"items": [{"externalId": "c", "ward": "Phường 7"}]}})
    assert body["data"]["customerBulkUpsert"]["results"] == [
        {"index": 0, "externalId": "c", "id": gid(plain), "created": False}
    ]


@pytest.mark.spec("X1")
async def test_a_customer_shows_the_external_ids_merged_into_it_in_one_statement(
    gql: GraphQL, session: AsyncSession, shop: int, now: datetime, sql_statements: StatementLog
) -> None:
    ids = await customers(session, now, "a", "b", "c")
    body = await gql(MERGE, {"input": {"survivorId": gid(ids["a"]), "mergedIds": [gid(ids["c"])]}})
    assert body["data"]["customerMerge"]["userErrors"] == []
    body = await gql(MERGE, {"input": {"survivorId": gid(ids["a"]), "mergedIds": [gid(ids["b"])]}})
    assert body["data"]["customerMerge"]["userErrors"] == []
    await session.execute(
        t.customer.insert().values(shop_id=SHOP_ID, external_id="d", full_name="Khách khác")
    )

    sql_statements.clear()
    body = await gql("{ customers(first: 10) { nodes { externalId mergedExternalIds } } }", {})
    nodes = body["data"]["customers"]["nodes"]
    assert sorted((n["externalId"], n["mergedExternalIds"]) for n in nodes) == [
        ("a", ["b", "c"]),  # merged at the same (fixed) time: by external id
        ("d", []),
    ]
    aliases = [s for s in sql_statements.statements if "FROM customer_alias" in s]
    assert len(aliases) == 1, aliases
