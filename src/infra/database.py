"""Engines and sessions, and the embedded PostgreSQL used when no DATABASE_URL is given."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

# asyncpg prepares every statement; after five executions PostgreSQL may switch a prepared
# statement to a generic plan, which for filters over skewed data is many times slower.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan", "jit": "off"}


def async_url(url: str) -> str:
    """Accept postgres://, postgresql:// or postgresql+asyncpg:// and return the asyncpg form."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> tuple[str, dict[str, Any]]:
    """A DSN and keyword arguments for asyncpg itself (socket hosts travel as a keyword)."""
    parsed = make_url(async_url(url))
    kwargs: dict[str, Any] = {}
    host = parsed.query.get("host")
    if host:
        kwargs["host"] = host
    dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return dsn, kwargs


def with_database(url: str, name: str) -> str:
    return make_url(async_url(url)).set(database=name).render_as_string(hide_password=False)


def start_embedded(data_dir: Path, database: str) -> str:
    """Start (or reuse) the embedded PostgreSQL in ``data_dir`` and return a URL to ``database``.

    The server keeps running after this process exits, so the next start reuses it.
    """
    import pgserver  # imported here: only the embedded path needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir / "pg"), cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = str(data_dir / "pg")
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return _create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args={"server_settings": SERVER_SETTINGS},
    )


class SerialSession(AsyncSession):
    """An AsyncSession whose statements run one at a time.

    GraphQL resolves sibling fields concurrently and DataLoaders dispatch their batches as
    separate tasks, all on the request's one session; a session must not start a second
    operation while the first is, for example, still opening its connection or savepoint.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serial = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:  # scalars() goes through here
        async with self._serial:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().scalar(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._serial:
            await super().flush(*args, **kwargs)

    async def commit(self) -> None:
        async with self._serial:
            await super().commit()

    async def rollback(self) -> None:
        async with self._serial:
            await super().rollback()

    async def driver_fetch(self, sql: str, arguments: Sequence[Any]) -> list[Any]:
        """The rows of ``sql`` straight from the driver (asyncpg records, read by position), on
        this session's connection and in its transaction: for statements kept compiled
        (``infra.statements``). Listeners of the engine's ``before_cursor_execute`` (statement
        logs, the tests' counts, the bench's floor) see the statement as they see any other."""
        async with self._serial:
            if self.autoflush and (self.new or self.dirty or self.deleted):
                await super().flush()
            connection = await self.connection()
            sync = connection.sync_connection
            if sync is not None and sync.dispatch.before_cursor_execute:
                sync.dispatch.before_cursor_execute(sync, None, sql, arguments, None, False)
            raw = await connection.get_raw_connection()
            return await raw.driver_connection.fetch(sql, *arguments)  # type: ignore[no-any-return, union-attr]

    async def read_only(self) -> None:
        """Run this session's statements without a transaction (autocommit), for a request
        that only reads: no BEGIN and ROLLBACK round trips around it. Each statement then
        sees its own snapshot, as reads outside a transaction do.

        Only where nothing has run yet and the session owns its connection (not one a test
        holds in a transaction).
        """
        async with self._serial:
            if self.in_transaction() or not isinstance(self.bind, AsyncEngine):
                return
            await self.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=SerialSession, expire_on_commit=False, autoflush=False)
