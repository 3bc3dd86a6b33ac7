"""Every request needs a bearer token; the token decides the shop and the role."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.staff import Role
from infra import tables as t
from tests.conftest import OTHER_SHOP_ID, GraphQL, TokenMaker
from tests.factories import make_customer

VIEWER = (
    "query { viewer { role canSwitchMergeMode canManagePageConnection } shop { name timezone } }"
)
CUSTOMERS = "query { customers(first: 10) { totalCount nodes { fullName } } }"


async def _post(client: AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    response = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer chub_1_" + "x" * 43},
        {"Authorization": "Bearer chub_99999999999999999999_" + "x" * 43},
    ],
)
async def test_missing_or_bad_token_gives_unauthenticated_and_no_data(
    client: AsyncClient, shop: int, headers: dict[str, str]
) -> None:
    body = await _post(client, headers)
    assert body["data"] is None
    errors = body["errors"]
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in errors[0]["message"]


async def test_revoked_token_is_refused(
    client: AsyncClient, session: AsyncSession, token: str
) -> None:
    await session.execute(update(t.api_token).values(revoked_at=t.NOW))
    await session.flush()
    body = await _post(client, {"Authorization": f"Bearer {token}"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]


async def test_token_resolves_shop_and_role(gql: GraphQL, make_token: TokenMaker) -> None:
    chat = await make_token(Role.CHAT_STAFF)
    body = await gql(VIEWER, as_token=chat)
    assert "errors" not in body
    assert body["data"]["viewer"] == {
        "role": "CHAT_STAFF",
        "canSwitchMergeMode": True,
        "canManagePageConnection": False,
    }
    assert body["data"]["shop"] == {"name": "Cửa hàng Thử", "timezone": "Asia/Ho_Chi_Minh"}


async def test_queries_are_scoped_to_the_token_shop(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker
) -> None:
    await make_customer(session, full_name="Khách Của Shop Một")
    await make_customer(session, shop_id=OTHER_SHOP_ID, full_name="Khách Của Shop Hai")
    other = await make_token(Role.OWNER, shop_id=OTHER_SHOP_ID)

    mine = await gql(CUSTOMERS)
    theirs = await gql(CUSTOMERS, as_token=other)

    assert [n["fullName"] for n in mine["data"]["customers"]["nodes"]] == ["Khách Của Shop Một"]
    assert [n["fullName"] for n in theirs["data"]["customers"]["nodes"]] == ["Khách Của Shop Hai"]
    assert mine["data"]["customers"]["totalCount"] == 1
