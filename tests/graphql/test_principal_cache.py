"""Tokens and shop time zones are kept briefly per app; a revoked token is refused once its entry
expires."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app import PrincipalCache
from infra import tables as t
from tests.conftest import GraphQL, StatementLog, posted, unbudgeted

VIEWER = "query { viewer { role } }"


async def _viewer(client: AsyncClient, token: str) -> dict[str, object]:
    return await posted(client, token, VIEWER)


async def test_a_revoked_token_is_refused_once_its_entry_expires(
    client: AsyncClient, session: AsyncSession, token: str
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    assert (await _viewer(client, token))["data"] == {"viewer": {"role": "OWNER"}}

    await session.execute(update(t.api_token).values(revoked_at=t.NOW))
    await session.flush()
    # within the cache's lifetime the token still answers; a cache without lifetime refuses it
    assert (await _viewer(client, token))["data"] == {"viewer": {"role": "OWNER"}}
    app.state.principals = PrincipalCache(ttl=0)
    body = await _viewer(client, token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]


async def test_unknown_tokens_are_not_kept(session: AsyncSession, token: str) -> None:
    cache = PrincipalCache()
    assert await cache.principal(session, token + "x") is None
    assert await cache.principal(session, token) is not None
    assert len(cache._entries) == 1


PURCHASED_LAST_30_DAYS = """
query Recent {
  customers(filter: {purchased: {period: {last: {amount: 30, unit: DAYS}}}}) { totalCount }
}
"""


async def test_the_shop_time_zone_is_looked_up_once_per_app(
    gql: GraphQL, sql_statements: StatementLog
) -> None:
    first = await gql(PURCHASED_LAST_30_DAYS)
    assert "errors" not in first, first
    assert any("shop.timezone" in s for s in sql_statements.statements)

    sql_statements.clear()
    second = await gql(PURCHASED_LAST_30_DAYS)
    assert unbudgeted(second) == unbudgeted(first)
    assert sql_statements.statements
    assert all("shop.timezone" not in s for s in sql_statements.statements)
