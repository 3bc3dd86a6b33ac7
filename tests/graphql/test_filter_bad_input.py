"""Item 8: every kind of bad definition is a typed error naming the field; nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import GraphQL

CREATE = """
mutation Create($input: SegmentCreateInput!) {
  segmentCreate(input: $input) { segment { id } userErrors { field message code } }
}
"""
SAVE = """
mutation Save($input: SavedFilterCreateInput!) {
  savedFilterCreate(input: $input) { savedFilter { id } userErrors { field message code } }
}
"""
CUSTOMERS = """
query Customers($filter: ProfileFilter) { customers(filter: $filter) { totalCount } }
"""


CASES = [
    ({"gender": {"anyOf": ["robot"]}}, "gender.anyOf.0", "INVALID"),
    ({"ordersCount": {"min": 5, "max": 1}}, "ordersCount.min", "INVALID_RANGE"),
    ({"totalSpent": {"equals": 1, "min": 0}}, "totalSpent.equals", "INVALID"),
    # A NaN compared with the other bound was an internal error.
    ({"totalSpent": {"min": "NaN", "max": 5}}, "totalSpent.min", "INVALID"),
    ({"ordersCount": {"lessThan": "-Infinity"}}, "ordersCount.lessThan", "INVALID"),
    # Past 38 digits the driver's numeric wrapped (1e200000 was bound as 0, so everyone
    # matched) or PostgreSQL refused it (an internal error).
    ({"totalSpent": {"min": "1e200000"}}, "totalSpent.min", "INVALID"),
    ({"totalSpent": {"greaterThan": "1e-200000"}}, "totalSpent.greaterThan", "INVALID"),
    ({"lastPurchase": {"from": "2026-02-30"}}, "lastPurchase.from", "INVALID"),
    (
        {"signupDate": {"from": "2026-05-01", "to": "2026-04-01"}},
        "signupDate.from",
        "INVALID_RANGE",
    ),
    (
        {"memberSince": {"last": {"amount": 0, "unit": "DAYS"}}},
        "memberSince.last.amount",
        "INVALID",
    ),
    (
        {"birthday": {"from": {"month": 2, "day": 30}, "to": {"month": 3, "day": 1}}},
        "birthday.from",
        "INVALID",
    ),
    ({"birthday": {"month": 13}}, "birthday.month", "INVALID"),
    ({"fullName": {"contains": "  "}}, "fullName.contains", "INVALID"),
    ({"phone": {}}, "phone", "INVALID"),
    # No digits: as an empty number it would find the customers without a phone.
    ({"phone": {"equals": "abc"}}, "phone.equals", "INVALID"),
    ({"phone": {"startsWith": "+-."}}, "phone.startsWith", "INVALID"),
    ({"or": [{"phone": {"notContains": "x"}}]}, "or.0.phone.notContains", "INVALID"),
    ({"phone": {"contains": "³²"}}, "phone.contains", "INVALID"),  # superscripts, not digits
    (
        {"customField": [{"key": "nope", "text": {"equals": "x"}}]},
        "customField.0.key",
        "UNKNOWN_FIELD",
    ),
]


@pytest.mark.spec("S8", "G1", "X4")
@pytest.mark.parametrize(("block", "path", "code"), CASES)
async def test_bad_input_is_typed_everywhere_and_saves_nothing(
    gql: GraphQL, session: AsyncSession, shop: int, block: dict[str, Any], path: str, code: str
) -> None:
    def field(prefix: str) -> str:
        return f"{prefix}.{path}" if path else prefix

    query = await gql(CUSTOMERS, {"filter": block})
    assert query["data"] is None
    ext = query["errors"][0]["extensions"]
    assert ext["code"] == "BAD_USER_INPUT"
    assert (ext["field"], ext["reason"]) == (field("filter"), code)
    assert query["errors"][0]["message"]

    definition = {"include": [block]}
    created = await gql(CREATE, {"input": {"name": "S", "definition": definition}})
    errors = created["data"]["segmentCreate"]["userErrors"]
    assert created["data"]["segmentCreate"]["segment"] is None
    assert errors[0]["code"] == code
    assert errors[0]["field"].startswith("input.definition")
    if path:
        assert errors[0]["field"] == field("input.definition.include.0")

    saved = await gql(SAVE, {"input": {"list": "CUSTOMERS", "name": "F", "definition": definition}})
    assert saved["data"]["savedFilterCreate"]["savedFilter"] is None
    assert saved["data"]["savedFilterCreate"]["userErrors"][0]["code"] == code

    assert await session.scalar(select(func.count()).select_from(t.segment)) == 0
    assert await session.scalar(select(func.count()).select_from(t.saved_filter)) == 0
