"""Resolved tokens are kept briefly per app; a revoked one is refused once its entry expires."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app import PrincipalCache
from infra import tables as t

VIEWER = "query { viewer { role } }"


async def _viewer(client: AsyncClient, token: str) -> dict[str, object]:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


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
