"""The floor: the very statements the service runs for a request, run straight on asyncpg.

The statements are captured from the service's own code path: the app runs in this process on an
engine whose cursor executions are recorded, with the token lookup and the shop's time zone
left out (they are per-request overhead of the stack, not the list's work), and so is the
planning a count asks for the first time it sees a condition (kept for the process, not run
again). The recorded SQL and
its parameters are then executed on one asyncpg connection with the service's server settings,
prepared and cached just as the service's driver does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event

from app import create_app
from infra.database import SERVER_SETTINGS, asyncpg_dsn, create_engine, session_factory
from infra.settings import Settings

_OVERHEAD = ("FROM staff JOIN api_token", "FROM shop \nWHERE", "FROM shop WHERE", "EXPLAIN ")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]


class Recorder:
    """Runs GraphQL documents through the in-process app and keeps the data statements."""

    def __init__(self, url: str, token: str) -> None:
        self.engine = create_engine(url, pool_size=1)
        self.token = token
        self.seen: list[Statement] = []
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._record)
        app = create_app(
            settings=Settings(graphiql=False, rate_limit_points=0),
            sessions=session_factory(self.engine),
        )
        self.client = AsyncClient(transport=ASGITransport(app=app), base_url="http://floor")

    def _record(self, conn: Any, cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if not any(marker in sql for marker in _OVERHEAD):
            self.seen.append(Statement(sql, tuple(params or ())))

    async def capture(self, query: str, variables: dict[str, Any]) -> list[Statement]:
        self.seen = []
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"capture failed: {response.status_code} {body}")
        return list(self.seen)

    async def close(self) -> None:
        await self.client.aclose()
        await self.engine.dispose()


class Floor:
    """One asyncpg connection that replays captured statements and times them."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, url: str) -> Floor:
        dsn, kwargs = asyncpg_dsn(url)
        conn = await asyncpg.connect(dsn, server_settings=dict(SERVER_SETTINGS), **kwargs)
        return cls(conn)

    async def run(self, statements: list[Statement]) -> float:
        """Milliseconds to run ``statements`` one after the other and fetch every row."""
        started = time.perf_counter()
        for s in statements:
            await self.conn.fetch(s.sql, *s.params)
        return (time.perf_counter() - started) * 1000

    async def explain(self, statement: Statement) -> str:
        rows = await self.conn.fetch(
            "EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, *statement.params
        )
        return "\n".join(r[0] for r in rows)

    async def close(self) -> None:
        await self.conn.close()
