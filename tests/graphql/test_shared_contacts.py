"""X1: phones and e-mails shared by several customers are reported, and nothing links on them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from infra.ingest.linking import link_subscribers
from tests.conftest import GraphQL, StatementLog
from tests.factories import make_customer, make_page, make_subscriber

SHARED = """
query Shared($first: Int, $after: String) {
  sharedContacts(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      kind value customerCount
      customers { fullName }
      unlinkedSubscribers { fullName }
    }
  }
}
"""


async def _page(gql: GraphQL, **variables: Any) -> dict[str, Any]:
    body = await gql(SHARED, variables)
    assert "errors" not in body, body
    return dict(body["data"]["sharedContacts"])


@pytest.mark.spec("X1")
async def test_shared_contacts_are_listed_with_their_people_and_paged(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog
) -> None:
    await make_customer(session, full_name="An 1", phone="0912 345 678")
    await make_customer(session, full_name="An 2", phone="+84912345678")
    await make_customer(session, full_name="Bình 1", email="binh@example.vn")
    await make_customer(session, full_name="Bình 2", email="BINH@example.vn ")
    await make_customer(session, full_name="Bình 3", email="binh@example.vn")
    await make_customer(session, full_name="Chi", phone="0987 654 321", email="chi@example.vn")
    page = await make_page(session)
    shared_phone = await make_subscriber(
        session, page_id=page, full_name="S phone", phone="0912.345.678"
    )
    await make_subscriber(session, page_id=page, full_name="S chi", phone="0987654321")

    ambiguous = await link_subscribers(session, 1, subscriber_ids=[shared_phone])
    assert len(ambiguous) == 1
    assert len(ambiguous[0][1]) == 2
    linked = await session.scalar(
        select(t.subscriber.c.customer_id).where(t.subscriber.c.id == shared_phone)
    )
    assert linked is None

    sql_statements.clear()
    first = await _page(gql, first=1)
    assert first["totalCount"] == 2
    assert len(sql_statements) <= 4  # page, count, one loader per kind of person
    assert first["nodes"] == [
        {
            "kind": "EMAIL",
            "value": "binh@example.vn",
            "customerCount": 3,
            "customers": [{"fullName": "Bình 1"}, {"fullName": "Bình 2"}, {"fullName": "Bình 3"}],
            "unlinkedSubscribers": [],
        }
    ]
    assert first["pageInfo"]["hasNextPage"] is True
    second = await _page(gql, first=1, after=first["pageInfo"]["endCursor"])
    assert second["nodes"] == [
        {
            "kind": "PHONE",
            "value": "0912345678",
            "customerCount": 2,
            "customers": [{"fullName": "An 1"}, {"fullName": "An 2"}],
            "unlinkedSubscribers": [{"fullName": "S phone"}],
        }
    ]
    assert second["pageInfo"]["hasNextPage"] is False
    third = await _page(gql, first=5, after=second["pageInfo"]["endCursor"])
    assert third["nodes"] == []
    assert third["pageInfo"]["hasNextPage"] is False


@pytest.mark.spec("X1", "X4")
async def test_a_foreign_cursor_is_a_user_error(gql: GraphQL, shop: int) -> None:
    body = await gql(SHARED, {"after": "Yzo0Mg=="})  # c:42, a cursor of another list
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "after"
    over = await gql(SHARED, {"first": 101})
    assert over["errors"][0]["extensions"]["field"] == "first"
