"""Segments, previews and saved filters through the API (S9, G1, G3, L3, L6, X3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from infra import tables as t
from tests.conftest import FIXED_NOW, GraphQL, TokenMaker
from tests.factories import (
    make_customer,
    make_member,
    make_order,
    make_tag,
    store_segment_members,
)

CREATE = """
mutation Create($input: SegmentCreateInput!) {
  segmentCreate(input: $input) {
    segment { id name memberCount members(first: 10) { totalCount nodes { fullName } } }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: SegmentUpdateInput!) {
  segmentUpdate(input: $input) { segment { name memberCount } userErrors { field code } }
}
"""

DELETE = """
mutation Delete($input: SegmentDeleteInput!) {
  segmentDelete(input: $input) { deletedId userErrors { field code } }
}
"""

PREVIEW = """
query Preview($definition: GroupInput!, $first: Int) {
  segmentPreview(definition: $definition, first: $first) {
    count
    members { fullName }
    conditions { field count }
    exclusions { field count }
  }
}
"""

SAVED = """
query Saved { savedFilters(list: CUSTOMERS) { id name builtIn mine shared definition } }
"""

SAVE = """
mutation Save($input: SavedFilterCreateInput!) {
  savedFilterCreate(input: $input) { savedFilter { id name mine } userErrors { field code message } }
}
"""

LIST_WITH_TAGS = """
query Page($first: Int) {
  customers(first: $first, filter: {fullName: {contains: "van"}, ordersCount: {min: 1}}) {
    totalCount
    nodes { fullName tags { name } }
  }
}
"""

GROUP = {
    "include": [
        {"fullName": {"contains": "văn"}, "ordersCount": {"min": 1}},
        {"tag": {"anyOf": ["VIP"]}},
    ],
    "exclude": [{"hasNoPhone": True}],
}


async def _data(session: AsyncSession) -> None:
    vip = await make_tag(session, name="VIP")
    await make_customer(session, full_name="Nguyễn Văn A", orders_count=2, phone="0981111111")
    await make_customer(session, full_name="Lê Văn B", orders_count=0, phone="0981111112")
    await make_customer(session, full_name="Trần Văn C", orders_count=3)
    tagged = await make_customer(session, full_name="Phạm Thị D", phone="0981111113")
    await session.execute(t.customer_tag.insert().values(shop_id=1, customer_id=tagged, tag_id=vip))


@pytest.mark.spec("G1", "G3", "S9", "X3")
async def test_segment_lifecycle_with_live_members(gql: GraphQL, session: AsyncSession) -> None:
    await _data(session)
    body = await gql(CREATE, {"input": {"name": "Khách Văn", "definition": GROUP}})
    payload = body["data"]["segmentCreate"]
    assert payload["userErrors"] == []
    segment = payload["segment"]
    assert segment["memberCount"] == 2
    assert sorted(n["fullName"] for n in segment["members"]["nodes"]) == [
        "Nguyễn Văn A",
        "Phạm Thị D",
    ]

    # Live: a new matching customer is counted without touching the segment.
    await make_customer(session, full_name="Văn Mới", orders_count=1, phone="0981111114")
    renamed = await gql(UPDATE, {"input": {"id": segment["id"], "name": "Khách Văn 2"}})
    assert renamed["data"]["segmentUpdate"] == {
        "segment": {"name": "Khách Văn 2", "memberCount": 3},
        "userErrors": [],
    }
    duplicate = await gql(CREATE, {"input": {"name": "Khách Văn 2", "definition": GROUP}})
    assert duplicate["data"]["segmentCreate"]["userErrors"][0]["code"] == "DUPLICATE"

    stored = select(func.count()).select_from(t.segment_member)
    assert await session.scalar(stored) == 0  # the job worker stores them, for X3's events
    await store_segment_members(session, FIXED_NOW)
    assert await session.scalar(stored) == 3  # as they are when stored
    state = await gql(
        "query($id: ID!) { node(id: $id) { ... on Segment { membersPending membersStoredAt } } }",
        {"id": segment["id"]},
    )
    assert state["data"]["node"] == {
        "membersPending": False,
        "membersStoredAt": FIXED_NOW.isoformat(),
    }
    deleted = await gql(DELETE, {"input": {"id": segment["id"]}})
    assert deleted["data"]["segmentDelete"]["userErrors"] == []
    assert await session.scalar(stored) == 3  # unreachable now; the worker removes them
    await store_segment_members(session, FIXED_NOW)
    assert await session.scalar(stored) == 0
    again = await gql(DELETE, {"input": {"id": segment["id"]}})
    assert again["data"]["segmentDelete"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.spec("G1")
async def test_empty_include_means_everyone(gql: GraphQL, session: AsyncSession) -> None:
    await _data(session)
    body = await gql(PREVIEW, {"definition": {"exclude": [{"hasNoPhone": True}]}})
    assert body["data"]["segmentPreview"]["count"] == 3


@pytest.mark.spec("X3", "G1")
async def test_preview_counts_each_condition_and_exclusion(
    gql: GraphQL, session: AsyncSession
) -> None:
    await _data(session)
    body = await gql(PREVIEW, {"definition": GROUP, "first": 1})
    assert "errors" not in body, body
    preview = body["data"]["segmentPreview"]
    assert preview["count"] == 2
    assert len(preview["members"]) == 1
    assert preview["conditions"] == [
        {"field": "definition.include.0.fullName", "count": 3},
        {"field": "definition.include.0.ordersCount", "count": 2},
        {"field": "definition.include.1.tag", "count": 1},
    ]
    assert preview["exclusions"] == [{"field": "definition.exclude.0", "count": 1}]


@pytest.mark.spec("G1", "X4")
async def test_bad_definitions_are_user_errors_and_save_nothing(
    gql: GraphQL, session: AsyncSession, shop: int
) -> None:
    bad = {"include": [{"totalSpent": {"min": 10, "max": 1}}]}
    body = await gql(CREATE, {"input": {"name": "X", "definition": bad}})
    assert body["data"]["segmentCreate"] == {
        "segment": None,
        "userErrors": [
            {
                "field": "input.definition.include.0.totalSpent.min",
                "message": "The range is empty: 10 is above 1; swap the bounds.",
                "code": "INVALID_RANGE",
            }
        ],
    }
    blank = await gql(CREATE, {"input": {"name": "  ", "definition": {}}})
    assert blank["data"]["segmentCreate"]["userErrors"][0]["field"] == "input.name"
    assert await session.scalar(select(func.count()).select_from(t.segment)) == 0
    too_big = await gql(PREVIEW, {"definition": {}, "first": 101})
    assert too_big["errors"][0]["extensions"]["field"] == "first"


@pytest.mark.spec("L3", "L6")
async def test_built_in_and_saved_filters(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker
) -> None:
    body = await gql(SAVED)
    built_in = body["data"]["savedFilters"]
    assert [f["name"] for f in built_in] == [
        "Tất cả khách hàng",
        "Mua hàng 30 ngày gần đây",
        "Đã lâu không mua hàng",
        "Đã đăng ký thành viên",
        "Chưa đăng ký thành viên",
    ]
    assert all(f["builtIn"] for f in built_in)

    definition = {"include": [{"fullName": {"contains": "văn"}}]}
    mine = await gql(
        SAVE, {"input": {"list": "CUSTOMERS", "name": "Tên Văn", "definition": definition}}
    )
    assert mine["data"]["savedFilterCreate"]["userErrors"] == []
    other = await make_token(name="Người khác")
    seen_by_other = await gql(SAVED, as_token=other)
    assert "Tên Văn" not in [f["name"] for f in seen_by_other["data"]["savedFilters"]]
    listed = (await gql(SAVED))["data"]["savedFilters"]
    assert listed[-1]["name"] == "Tên Văn"
    assert listed[-1]["mine"] is True
    assert listed[-1]["definition"]["include"][0]["node"] == "compare"


@pytest.mark.spec("X4")
async def test_statements_of_a_filtered_list_do_not_grow_with_page_size(
    gql: GraphQL, session: AsyncSession, connection: AsyncConnection
) -> None:
    tag = await make_tag(session, name="Khách quen")
    for i in range(30):
        cid = await make_customer(session, full_name=f"Văn {i}", orders_count=1)
        await session.execute(
            t.customer_tag.insert().values(shop_id=1, customer_id=cid, tag_id=tag)
        )
    await session.flush()

    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sync_engine = connection.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for first in (1, 25):
            statements.clear()
            body = await gql(LIST_WITH_TAGS, {"first": first})
            assert len(body["data"]["customers"]["nodes"]) == first
            # the first count of a condition searching text plans its two forms once: not
            # statements of the list
            sizes[first] = len(
                [
                    s
                    for s in statements
                    if "customer" in s and "api_token" not in s and not s.startswith("EXPLAIN")
                ]
            )
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    # the page with its rows' tags, and totalCount, whatever the page size
    assert sizes[1] == sizes[25] == 2


APPLIED = """
query Applied($filter: ProfileFilter) {
  customers(first: 50, filter: $filter) { nodes { fullName } }
}
"""


@pytest.mark.spec("L3", "L6")
async def test_saved_filters_are_applied_through_their_filter_input(
    gql: GraphQL, session: AsyncSession
) -> None:
    """Each built-in selects what L3 says, applied as a client does: its `filterInput` passed
    as the list's `filter`."""
    recent = await make_customer(session, full_name="Mua Gần Đây")
    await make_order(session, recent, FIXED_NOW - timedelta(days=3))
    lapsed = await make_customer(session, full_name="Lâu Không Mua")
    await make_order(session, lapsed, FIXED_NOW - timedelta(days=45))
    await make_member(session, customer_id=lapsed)
    await make_customer(session, full_name="Chưa Mua")
    saved = await gql("{ savedFilters(list: CUSTOMERS) { id filterInput definitionInput } }")
    applied = {}
    for found in saved["data"]["savedFilters"]:
        body = await gql(APPLIED, {"filter": found["filterInput"]})
        applied[found["id"]] = sorted(n["fullName"] for n in body["data"]["customers"]["nodes"])
    assert applied == {
        "built-in:all_customers": ["Chưa Mua", "Lâu Không Mua", "Mua Gần Đây"],
        "built-in:purchased_last_30_days": ["Mua Gần Đây"],
        "built-in:no_purchase_last_30_days": ["Chưa Mua", "Lâu Không Mua"],
        "built-in:registered_members": ["Lâu Không Mua"],
        "built-in:not_registered": ["Chưa Mua", "Mua Gần Đây"],
    }
    by_id = {f["id"]: f for f in saved["data"]["savedFilters"]}
    assert by_id["built-in:purchased_last_30_days"]["definitionInput"] == {
        "include": [{"purchased": {"period": {"last": {"amount": 30, "unit": "DAYS"}}}}],
        "exclude": [],
    }

    # A saved filter of the subscriber list is written for that list.
    body = await gql(
        SAVE.replace("mine }", "mine definitionInput filterInput }"),
        {
            "input": {
                "list": "SUBSCRIBERS",
                "name": "Có tag, không mua",
                "definition": {
                    "include": [{"tag": {"anyOf": ["Hết hàng"]}, "hasNoEmail": True}],
                    "exclude": [{"notPurchased": {"thisMonth": True}}],
                },
            }
        },
    )
    created = body["data"]["savedFilterCreate"]["savedFilter"]
    assert created["definitionInput"] == {
        "include": [{"tag": {"anyOf": ["Hết hàng"]}, "email": {"hasValue": False}}],
        "exclude": [{"notPurchased": {"thisMonth": True}}],
    }
    assert created["filterInput"] == {
        "and": [{"email": {"hasValue": False}}, {"tag": {"anyOf": ["Hết hàng"]}}],
        "not": {"or": [{"notPurchased": {"thisMonth": True}}]},
    }


@pytest.mark.spec("S9", "G1")
async def test_a_segment_definition_input_sent_back_keeps_the_segment(
    gql: GraphQL, session: AsyncSession
) -> None:
    await _data(session)
    await session.execute(
        t.custom_field.insert().values(shop_id=1, key="size", label="Cỡ", type="number")
    )
    definition = {
        "include": [
            GROUP["include"][0],
            {
                "phone": {"noneOf": ["0912 345 678", "+84 98 111 1111"]},
                "region": {"noneOf": ["Hà Nội"]},
                "customField": [{"key": "size", "number": {"min": 38}}],
            },
            {"or": [{"tier": {"anyOf": ["gold"]}}, {"birthday": {"month": 12}}]},
        ],
        "exclude": GROUP["exclude"],
    }
    read = """
    query Read($id: ID!) {
      node(id: $id) { ... on Segment { definition definitionInput memberCount } }
    }
    """
    body = await gql(CREATE, {"input": {"name": "Khứ hồi", "definition": definition}})
    segment_id = body["data"]["segmentCreate"]["segment"]["id"]
    before = (await gql(read, {"id": segment_id}))["data"]["node"]
    assert before["definitionInput"]["include"][1] == {
        "phone": {"noneOf": ["0912 345 678", "+84 98 111 1111"]},
        "region": {"noneOf": ["Hà Nội"]},
        "customField": [{"key": "size", "number": {"min": "38"}}],
    }
    sent = await gql(UPDATE, {"input": {"id": segment_id, "definition": before["definitionInput"]}})
    assert sent["data"]["segmentUpdate"]["userErrors"] == []
    assert (await gql(read, {"id": segment_id}))["data"]["node"] == before


SAVED_UPDATE = """
mutation Update($input: SavedFilterUpdateInput!) {
  savedFilterUpdate(input: $input) {
    savedFilter { id name shared definitionInput }
    userErrors { field code message }
  }
}
"""


@pytest.mark.spec("L6")
async def test_saved_filters_are_changed_by_their_owner_only(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker
) -> None:
    definition = {"include": [{"fullName": {"contains": "văn"}}], "exclude": []}
    body = await gql(
        SAVE, {"input": {"list": "SUBSCRIBERS", "name": "Tên Văn", "definition": definition}}
    )
    saved_id = body["data"]["savedFilterCreate"]["savedFilter"]["id"]

    narrowed = {"include": [{"utmCampaign": {"equals": "sale-11-11"}}], "exclude": []}
    body = await gql(
        SAVED_UPDATE,
        {"input": {"id": saved_id, "name": "  Từ 11.11 ", "definition": narrowed, "shared": True}},
    )
    assert body["data"]["savedFilterUpdate"] == {
        "savedFilter": {
            "id": saved_id,
            "name": "Từ 11.11",
            "shared": True,
            "definitionInput": narrowed,
        },
        "userErrors": [],
    }
    other = await make_token(name="Người khác")
    seen = await gql("query { savedFilters(list: SUBSCRIBERS) { name mine } }", as_token=other)
    assert {"name": "Từ 11.11", "mine": False} in seen["data"]["savedFilters"]

    async def refused(input: dict[str, object], token: str | None = None) -> list[object]:
        body = await gql(SAVED_UPDATE, {"input": input}, as_token=token)
        payload = body["data"]["savedFilterUpdate"]
        assert payload["savedFilter"] is None
        return [(e["field"], e["code"]) for e in payload["userErrors"]]

    assert await refused({"id": saved_id, "name": "Của tôi"}, other) == [("input.id", "NOT_FOUND")]
    assert await refused({"id": "built-in:all_customers", "name": "x"}) == [("input.id", "INVALID")]
    assert await refused({"id": "abc", "name": "x"}) == [("input.id", "NOT_FOUND")]
    # Refused changes leave the filter as it was.
    bad = {"include": [{"customField": [{"key": "khong_co", "text": {"hasValue": True}}]}]}
    assert await refused({"id": saved_id, "name": "Khác", "definition": bad}) == [
        ("input.definition.include.0.customField.0.key", "UNKNOWN_FIELD")
    ]
    assert await refused({"id": saved_id, "name": " "}) == [("input.name", "INVALID")]
    stored = await session.scalar(select(t.saved_filter.c.name))
    assert stored == "Từ 11.11"


ORDERED = """
query Ordered($id: ID!, $after: String) {
  node(id: $id) {
    ... on Segment {
      members(first: 2, after: $after, orderBy: {by: TOTAL_SPENT, direction: ASC}) {
        pageInfo { hasNextPage endCursor }
        nodes { fullName totalSpent }
      }
    }
  }
}
"""


@pytest.mark.spec("S9", "S8")
async def test_segment_members_page_in_the_order_asked(gql: GraphQL, session: AsyncSession) -> None:
    for name, spent in (("Văn A", 300), ("Văn B", 100), ("Văn C", 200), ("Thị D", 50)):
        await make_customer(session, full_name=name, total_spent=spent)
    body = await gql(
        CREATE,
        {"input": {"name": "Văn", "definition": {"include": [{"fullName": {"contains": "van"}}]}}},
    )
    segment_id = body["data"]["segmentCreate"]["segment"]["id"]
    seen: list[tuple[str, float]] = []
    after = None
    while True:
        page = (await gql(ORDERED, {"id": segment_id, "after": after}))["data"]["node"]["members"]
        seen += [(n["fullName"], n["totalSpent"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [("Văn B", 100.0), ("Văn C", 200.0), ("Văn A", 300.0)]
