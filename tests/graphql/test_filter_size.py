"""S7: a filter holds any number of conditions, nested as deep as GraphQL carries values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from infra.filter_sql import compiler
from tests.conftest import GraphQL
from tests.factories import make_customer, store_segment_members

pytestmark = pytest.mark.spec("S7")

CUSTOMERS = """
query Customers($filter: ProfileFilter) {
  customers(filter: $filter, first: 100) { totalCount nodes { fullName } }
}
"""
CREATE = """
mutation Create($input: SegmentCreateInput!) {
  segmentCreate(input: $input) { segment { id memberCount } userErrors { field message code } }
}
"""


async def _names(gql: GraphQL, block: dict[str, Any]) -> list[str]:
    body = await gql(CUSTOMERS, {"filter": block})
    assert "errors" not in body, body
    found = body["data"]["customers"]
    names = sorted(n["fullName"] for n in found["nodes"])
    assert found["totalCount"] == len(names)
    return names


async def _segment(gql: GraphQL, session: AsyncSession, now: datetime, block: Any) -> int:
    """Saves ``block`` as a segment; its live count, checked against the members the job
    worker stores for it."""
    body = await gql(CREATE, {"input": {"name": "Big", "definition": {"include": [block]}}})
    payload = body["data"]["segmentCreate"]
    assert payload["userErrors"] == [], payload
    stored = await store_segment_members(session, now)
    assert len(stored) == 1
    members = await session.scalar(select(func.count()).select_from(t.segment_member))
    assert members == payload["segment"]["memberCount"]
    return int(members)


@pytest.fixture
async def customers(session: AsyncSession) -> None:
    """K00-K39 with the numbers 0912 000 000 to 0912 000 039; one customer without a phone."""
    for i in range(40):
        await make_customer(
            session, full_name=f"K{i:02d}", phone=f"0912{i:06d}", email=f"k{i}@shop.vn"
        )
    await make_customer(session, full_name="none")


@pytest.mark.spec("S7", "X2")
async def test_a_list_of_thousands_of_numbers_finds_each_customer(
    gql: GraphQL, session: AsyncSession, now: datetime, customers: None
) -> None:
    # The numbers of K00-K09, each written another way, among 3,000 that nobody has, twice
    # one of them, and an e-mail in the same list: equalities on two attributes.
    listed = [f"+84 912.000.0{i:02d}" for i in range(10)]
    unknown = [f"0988{i:06d}" for i in range(3000)]
    items = [{"phone": {"equals": p}} for p in [*unknown[:1500], *listed, listed[0]]]
    items += [{"email": {"equals": "K20@SHOP.VN"}}]
    items += [{"phone": {"equals": p}} for p in unknown[1500:]]
    wanted = [f"K{i:02d}" for i in range(10)] + ["K20"]

    assert await _names(gql, {"or": items}) == wanted
    others = [f"K{i:02d}" for i in range(10, 40) if i != 20] + ["none"]
    assert await _names(gql, {"not": {"or": items}}) == sorted(others)
    assert await _segment(gql, session, now, {"or": items}) == len(wanted)


async def test_thousands_of_different_conditions_are_taken(
    gql: GraphQL, session: AsyncSession, now: datetime, customers: None
) -> None:
    """Conditions that cannot become one list each stay a condition: 1,201 of them, where 500
    were once the most a filter could hold."""
    items: list[dict[str, Any]] = [
        {"fullName": {"startsWith": f"Nobody {i}"}, "ordersCount": {"min": i}} for i in range(1200)
    ]
    items.insert(600, {"fullName": {"startsWith": "k0"}})

    assert await _names(gql, {"or": items}) == [f"K{i:02d}" for i in range(10)]
    assert await _segment(gql, session, now, {"or": items}) == 10


def _nest(block: dict[str, Any], levels: int) -> dict[str, Any]:
    """``block`` under ``levels`` alternating and / or levels, each with a copy of ``block``
    beside it, so that it selects what ``block`` does."""
    nested = block
    for level in range(levels):
        nested = {"and" if level % 2 else "or": [nested, block]}
    return nested


async def test_definitions_nest_as_deep_as_graphql_carries_them(
    gql: GraphQL, session: AsyncSession, now: datetime, customers: None
) -> None:
    """GraphQL refuses values nested past 200 levels; an and / or level is two of them (its
    list and its object), and a segment's definition puts its blocks two levels down."""
    block = {"fullName": {"startsWith": "K1"}, "not": {"phone": {"startsWith": "0912000015"}}}
    wanted = [f"K{i}" for i in range(10, 20) if i != 15]

    assert await _names(gql, _nest(block, 97)) == wanted
    assert await _segment(gql, session, now, _nest(block, 97)) == len(wanted)

    deeper = await gql(CUSTOMERS, {"filter": _nest(block, 100)})
    assert deeper["data"] is None
    assert deeper["errors"][0]["message"] == "Variable values are nested too deeply."


PREVIEW = """
query Preview($definition: GroupInput!) { segmentPreview(definition: $definition) { count } }
"""
EXCLUSIONS = """
query Preview($definition: GroupInput!) {
  segmentPreview(definition: $definition) { exclusions { count } }
}
"""


def _ranges(count: int) -> dict[str, Any]:
    """An ``or`` of ``count`` order-count ranges: two values each, none of them a list."""
    return {"or": [{"ordersCount": {"min": i, "max": i + 1}} for i in range(count)]}


async def test_a_filter_past_what_postgresql_binds_is_refused_and_saves_nothing(
    gql: GraphQL, session: AsyncSession, monkeypatch: pytest.MonkeyPatch, customers: None
) -> None:
    """PostgreSQL takes at most 32,767 values a statement; a filter that would need more is
    TOO_COMPLEX, where it was an internal error. The bound is lowered here to keep the test
    quick; the same check guards the real one."""
    monkeypatch.setattr(compiler, "MAX_ARGUMENTS", 40)
    assert await _names(gql, _ranges(20)) == sorted([*(f"K{i:02d}" for i in range(40)), "none"])

    listed = await gql(CUSTOMERS, {"filter": _ranges(21)})
    assert listed["data"] is None
    (error,) = listed["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "filter",
        "reason": "TOO_COMPLEX",
    }
    assert "42 values" in error["message"]

    preview = await gql(PREVIEW, {"definition": {"include": [_ranges(21)]}})
    assert preview["data"] is None
    assert preview["errors"][0]["extensions"]["field"] == "definition"
    # The preview counts each exclude block with the includes: 20 + 2 x (20 + 2) values.
    nobody = {"ordersCount": {"min": 50, "max": 51}}
    parts = {"include": [_ranges(10)], "exclude": [nobody, nobody]}
    assert (await gql(PREVIEW, {"definition": parts}))["data"]["segmentPreview"]["count"] == 41
    excluded = await gql(EXCLUSIONS, {"definition": parts})
    assert excluded["data"] is None
    assert excluded["errors"][0]["extensions"]["reason"] == "TOO_COMPLEX"

    created = await gql(
        CREATE, {"input": {"name": "Big", "definition": {"include": [_ranges(21)]}}}
    )
    assert created["data"]["segmentCreate"]["segment"] is None
    assert created["data"]["segmentCreate"]["userErrors"] == [
        {"field": "input.definition", "message": error["message"], "code": "TOO_COMPLEX"}
    ]
    assert await session.scalar(select(func.count()).select_from(t.segment)) == 0


async def test_the_bound_is_postgresqls(gql: GraphQL, customers: None) -> None:
    """17,000 ranges need 34,000 values, which PostgreSQL would refuse (an internal error
    before this bound)."""
    body = await gql(CUSTOMERS, {"filter": _ranges(17_000)})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["reason"] == "TOO_COMPLEX"
