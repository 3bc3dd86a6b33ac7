"""A real PostgreSQL for every test: TEST_DATABASE_URL when set, else an embedded one.

The suite creates a database of its own, migrates it once with Alembic (so the migrations are
tested too), and runs each test inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app import create_app
from cli import migrate
from domain.staff import Principal, Role
from graph.context import Context
from infra import jobs
from infra.database import (
    SerialSession,
    async_url,
    asyncpg_dsn,
    create_engine,
    embedded_servers,
    with_database,
)
from infra.egress import webhook_client
from infra.repositories.auth import ensure_shop, issue_token
from infra.settings import Settings, get_settings

SHOP_ID = 1
OTHER_SHOP_ID = 2
FIXED_NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Asia/Ho_Chi_Minh


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield async_url(given)
        return
    server = embedded_servers().get_server(str(tmp_path_factory.mktemp("pg")), cleanup_mode="stop")
    socket_dir = server.get_uri().split("host=")[-1]
    yield f"postgresql+asyncpg://postgres@/postgres?host={socket_dir}"
    server.cleanup()


async def _admin(server_url: str, sql: str) -> None:
    dsn, kwargs = asyncpg_dsn(server_url)
    connection = await asyncpg.connect(dsn, **kwargs)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A fresh database, migrated to head, dropped at the end of the run."""
    name = f"customer_hub_test_{uuid.uuid4().hex[:10]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    try:
        await asyncio.to_thread(migrate, url)
        yield url
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


def _session(connection: AsyncConnection) -> AsyncSession:
    return SerialSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@asynccontextmanager
async def job_resources(
    connection: AsyncConnection, now: Callable[[], datetime]
) -> AsyncIterator[jobs.Resources]:
    """The job worker's resources for jobs run in a test: their sessions are savepoints of
    the test's transaction (which still rolls back), their clock ``now``, metrics of their
    own. Webhooks go to receivers on this machine."""
    async with webhook_client(local_network=True) as client:
        resources = jobs.Resources(sessions=lambda: _session(connection), client=client, now=now)
        jobs.use(resources)
        yield resources


@pytest_asyncio.fixture(loop_scope="session")
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    session = _session(connection)
    yield session
    await session.close()


@pytest_asyncio.fixture(loop_scope="session")
async def shop(session: AsyncSession) -> int:
    await ensure_shop(session, shop_id=SHOP_ID, name="Cửa hàng Thử")
    await ensure_shop(session, shop_id=OTHER_SHOP_ID, name="Cửa hàng Khác")
    await session.flush()
    return SHOP_ID


TokenMaker = Callable[..., Awaitable[str]]


def unbudgeted(body: Any) -> Any:
    """A response body without what is left of its caller's budget (``graph.throttle``),
    which each request changes: for comparing the answers of repeated requests."""
    cost = body.get("extensions", {}).get("cost") if isinstance(body, dict) else None
    if not cost or "throttleStatus" not in cost:
        return body
    kept = {key: value for key, value in cost.items() if key != "throttleStatus"}
    return {**body, "extensions": {**body["extensions"], "cost": kept}}


@pytest_asyncio.fixture(loop_scope="session")
async def make_token(session: AsyncSession, shop: int) -> TokenMaker:
    async def make(role: Role = Role.OWNER, shop_id: int = SHOP_ID, name: str = "Nhân viên") -> str:
        _, token = await issue_token(session, shop_id=shop_id, role=role, staff_name=name)
        await session.flush()
        return token

    return make


@pytest_asyncio.fixture(loop_scope="session")
async def token(make_token: TokenMaker) -> str:
    return await make_token(Role.OWNER)


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@asynccontextmanager
async def app_client(
    connection: AsyncConnection, now: datetime, settings: Settings
) -> AsyncIterator[AsyncClient]:
    """A client of the app with ``settings``, its sessions on the test's connection."""
    app = create_app(settings=settings, sessions=lambda: _session(connection), now=lambda: now)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def client(connection: AsyncConnection, now: datetime) -> AsyncIterator[AsyncClient]:
    async with app_client(
        connection, now, Settings(graphiql=True, webhook_local_network=False)
    ) as client:
        yield client


def owner_context(session: AsyncSession, shop_id: int = SHOP_ID) -> Context:
    """A request's context for the shop's owner on ``session``, without HTTP or a token."""
    return Context(
        session=session,
        principal=Principal(shop_id=shop_id, staff_id=1, role=Role.OWNER),
        settings=get_settings(),
        now=lambda: datetime.now(UTC),
    )


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(client: AsyncClient, token: str) -> GraphQL:
    """POST a document; returns the JSON body (asserting HTTP 200)."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, *, as_token: str | None = None
    ) -> dict[str, Any]:
        return await posted(client, as_token or token, query, variables)

    return run


async def posted(
    client: AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST a document to ``client``'s app as ``token``; the JSON body (asserting HTTP 200)."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def driver_fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements read straight from the driver (kept statements), as they run."""
    fetched: list[str] = []
    fetch = SerialSession.driver_fetch

    async def counted(self: SerialSession, sql: str, arguments: Any) -> list[Any]:
        fetched.append(sql)
        return await fetch(self, sql, arguments)

    monkeypatch.setattr(SerialSession, "driver_fetch", counted)
    return fetched


class StatementLog:
    """SQL statements run on the test connection while it is recording."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_statements(connection: AsyncConnection) -> Iterator[StatementLog]:
    """Records every statement the app runs on the test connection (savepoints excluded)."""
    from sqlalchemy import event

    log = StatementLog()
    sync_engine = connection.sync_engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            log.statements.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


class Clock:
    """A clock of seconds that moves only when a test moves it (``now``)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def closed_port() -> int:
    """A port of this machine that nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
