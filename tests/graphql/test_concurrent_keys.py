"""A unique key another request takes between a mutation's check and its write is a user
error, not an internal one (X4).

Ten `segmentCreate` or `tagCreate` with one new name, sent at once, answered some of them with
INTERNAL_SERVER_ERROR: each had checked the name was free before another request saved it.
Requests in these tests run one at a time on the test's transaction, so the check is taken out
(as if the other request had not committed yet when it ran) and the key is broken for real.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ErrorCode
from graph.mutations import perform
from infra import tables as t
from infra.database import raised_by_postgresql
from infra.repositories.segments import SegmentRepository
from infra.repositories.tagging import TagAdmin
from tests.conftest import SHOP_ID, GraphQL
from tests.factories import make_customer

SEGMENT = """
mutation($name: String!) {
  segmentCreate(input: {name: $name, definition: {include: []}}) {
    segment { id }
    userErrors { field code message }
  }
}
"""
TAG = """
mutation($name: String!) {
  tagCreate(input: {name: $name}) { tag { id } userErrors { field code message } }
}
"""
RENAME = """
mutation($id: ID!, $name: String!) {
  tagUpdate(input: {id: $id, name: $name}) { userErrors { field code message } }
}
"""


async def _count(session: AsyncSession, table: Any, name: str) -> int:
    query = select(func.count()).where(table.c.shop_id == SHOP_ID, table.c.name == name)
    return int(await session.scalar(query) or 0)


async def _unchecked(*args: object, **kwargs: object) -> None:
    """A name check that saw the name free: the other request had not committed yet."""


def _raced(payload: dict[str, Any]) -> tuple[str, str, bool]:
    [error] = payload["userErrors"]
    return error["field"], error["code"], "saved by another request" in error["message"]


@pytest.mark.spec("X4", "G1")
async def test_a_segment_name_taken_meanwhile_is_a_duplicate(
    gql: GraphQL, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SegmentRepository, "_name_taken", _unchecked)
    first = (await gql(SEGMENT, {"name": "Khách VIP"}))["data"]["segmentCreate"]
    second = (await gql(SEGMENT, {"name": "Khách VIP"}))["data"]["segmentCreate"]

    assert first["userErrors"] == []
    assert second["segment"] is None
    assert _raced(second) == ("input.name", "DUPLICATE", True)
    assert await _count(session, t.segment, "Khách VIP") == 1


@pytest.mark.spec("X4", "T1")
async def test_a_tag_name_taken_meanwhile_is_a_duplicate_on_create_and_rename(
    gql: GraphQL, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TagAdmin, "_check_name_free", _unchecked)
    first = (await gql(TAG, {"name": "Sỉ"}))["data"]["tagCreate"]
    second = (await gql(TAG, {"name": "Sỉ"}))["data"]["tagCreate"]
    other = (await gql(TAG, {"name": "Lẻ"}))["data"]["tagCreate"]
    renamed = (await gql(RENAME, {"id": other["tag"]["id"], "name": "Sỉ"}))["data"]["tagUpdate"]

    assert first["userErrors"] == []
    assert _raced(second) == ("input.name", "DUPLICATE", True)
    assert _raced(renamed) == ("input.name", "DUPLICATE", True)
    assert await _count(session, t.tag, "Sỉ") == 1
    assert await _count(session, t.tag, "Lẻ") == 1


@pytest.mark.spec("X4")
async def test_any_other_key_taken_meanwhile_is_a_conflict_and_changes_nothing(
    session: AsyncSession, shop: int
) -> None:
    """A key no mutation names (here a product's SKU) still answers CONFLICT, rolled back."""
    product = {"shop_id": SHOP_ID, "sku": "AO-01", "name": "Áo"}

    async def twice() -> None:
        for _ in range(2):
            await session.execute(insert(t.product).values(**product))

    info = cast(Any, SimpleNamespace(context=SimpleNamespace(session=session)))
    result, errors = await perform(info, twice)

    assert result is None
    assert [(e.code, e.field) for e in errors] == [(ErrorCode.CONFLICT, None)]
    assert await session.scalar(select(func.count()).select_from(t.product)) == 0


@pytest.mark.spec("X4", "T3")
async def test_a_row_deleted_meanwhile_is_not_found_and_changes_nothing(
    session: AsyncSession, shop: int
) -> None:
    """`tagAdd` reads the tags and writes the taggings in one statement; a tag deleted by a
    request that commits in between breaks the tagging's foreign key (seen with concurrent
    `tagAdd` and `tagDelete(force: true)`). Here the tag never existed."""
    customer = await make_customer(session)

    async def tag_with_a_deleted_tag() -> None:
        await session.execute(
            insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=customer, tag_id=999_999)
        )

    info = cast(Any, SimpleNamespace(context=SimpleNamespace(session=session)))
    result, errors = await perform(info, tag_with_a_deleted_tag)

    assert result is None
    assert [(e.code, e.field) for e in errors] == [(ErrorCode.NOT_FOUND, None)]
    assert "deleted by another request" in errors[0].message
    assert await session.scalar(select(func.count()).select_from(t.customer_tag)) == 0


async def test_the_broken_key_is_named_from_the_driver(session: AsyncSession, shop: int) -> None:
    product = {"shop_id": SHOP_ID, "sku": "AO-02", "name": "Áo"}
    await session.execute(insert(t.product).values(**product))
    with pytest.raises(IntegrityError) as raised:
        async with session.begin_nested():
            await session.execute(insert(t.product).values(**product))
    refusal = raised_by_postgresql(raised.value)
    assert refusal is not None
    assert (refusal.sqlstate, refusal.constraint) == ("23505", "uq_product_shop_id_sku")
    assert refusal.message.startswith("duplicate key value violates unique constraint")
    assert raised_by_postgresql(ValueError("not a database error")) is None
