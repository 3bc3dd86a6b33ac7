"""A database out of reach is answered with a coded error a client can retry on, never an
HTTP 500 or a traceback (X4): a request that cannot even read its token gets HTTP 503 with
`Retry-After`, a field that finds no connection `SERVICE_UNAVAILABLE`, and `/readyz` says so
to a load balancer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from structlog.testing import capture_logs

from app import create_app
from domain.staff import Principal, Role
from graph.context import Context
from graph.errors import UNAVAILABLE
from graph.schema import schema
from graphql import ExecutionResult, GraphQLError
from infra import jobs
from infra.database import SerialSession, create_engine, lost, session_factory, unavailable
from infra.egress import webhook_client
from infra.metrics import Metrics
from infra.settings import Settings
from tests.conftest import SHOP_ID, closed_port

pytestmark = pytest.mark.spec("X4")

WELL_FORMED_TOKEN = "chub_1_" + "A" * 43
"""A token the service must look up in the database to know it is not valid."""
REFUSED = {
    "data": None,
    "errors": [{"message": UNAVAILABLE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}],
}


@pytest_asyncio.fixture(loop_scope="session")
async def unreachable() -> AsyncIterator[AsyncClient]:
    """The app with its database on a port where no server listens."""
    engine = create_engine(f"postgresql://postgres@127.0.0.1:{closed_port()}/customer_hub")
    app = create_app(settings=Settings(), sessions=session_factory(engine))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield client
    finally:
        await engine.dispose()


async def test_a_request_that_cannot_reach_the_database_is_answered_503(
    unreachable: AsyncClient,
) -> None:
    auth = {"Authorization": f"Bearer {WELL_FORMED_TOKEN}"}
    posted = await unreachable.post("/graphql", json={"query": "{ shop { name } }"}, headers=auth)
    got = await unreachable.get("/graphql", params={"query": "{ shop { name } }"}, headers=auth)

    for response in (posted, got):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == REFUSED
    metrics = (await unreachable.get("/metrics")).text
    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "customer_hub_graphql_operations_total"
    }
    assert counted == {"SERVICE_UNAVAILABLE": 2}


async def test_readiness_follows_the_database(
    unreachable: AsyncClient, client: AsyncClient
) -> None:
    down = await unreachable.get("/readyz")
    assert (down.status_code, down.json()) == (503, {"status": "unavailable"})
    assert down.headers["retry-after"] == "5"
    alive = await unreachable.get("/healthz")
    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})

    up = await client.get("/readyz")
    assert (up.status_code, up.json()) == (200, {"status": "ok"})


async def test_operations_that_find_no_free_connection_are_service_unavailable(
    database_url: str,
) -> None:
    """The token was read (a remembered token needs no statement), then every connection of
    the pool is taken: after the pool's wait a query fails as a whole and a mutation in its
    field, each with a coded error, nothing masked as internal."""
    engine = create_engine(database_url, pool_size=1, pool_timeout_s=0.2)  # up to 2
    held = [await engine.connect(), await engine.connect()]
    sessions = session_factory(engine)

    metrics = Metrics()

    def owner() -> Context:
        return Context(
            session=sessions(),
            principal=Principal(shop_id=SHOP_ID, staff_id=1, role=Role.OWNER),
            settings=Settings(),
            now=lambda: datetime.now(UTC),
            metrics=metrics,
        )

    query, mutation = owner(), owner()
    try:
        read = await schema.execute("{ shop { name } tags { totalCount } }", context_value=query)
        written = await schema.execute(
            'mutation { tagCreate(input: {name: "Khách quen"}) { tag { id } } }',
            context_value=mutation,
        )
    finally:
        for context in (query, mutation):
            await context.session.close()
        for connection in held:
            await connection.close()
        await engine.dispose()

    assert read.data is None
    assert [(e.message, e.path, code(e)) for e in read.errors or ()] == [
        (UNAVAILABLE, None, "SERVICE_UNAVAILABLE")
    ]
    # the query's connection is taken in a hook, before any field: counted all the same
    outcomes = metrics.registry.get_sample_value
    labels = {"type": "query", "field": "shop", "outcome": "SERVICE_UNAVAILABLE"}
    assert outcomes("customer_hub_graphql_operations_total", labels) == 1
    assert written.data is None
    assert [(e.message, e.path, code(e)) for e in written.errors or ()] == [
        (UNAVAILABLE, ["tagCreate"], "SERVICE_UNAVAILABLE")
    ]


def code(error: GraphQLError) -> object:
    return (error.extensions or {}).get("code")


async def drop_pooled(sessions: async_sessionmaker[AsyncSession], by: AsyncConnection) -> None:
    """Ends, from the server's side, the connection a pool of one holds, as a restart, a
    fail-over or an idle-connection killer would, and waits until it is gone."""
    async with sessions() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    await by.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    for _ in range(50):  # the server ends the backend a moment later
        gone = await by.scalar(
            text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
        if gone:
            return
        await asyncio.sleep(0.02)


async def test_a_query_meeting_a_connection_the_server_dropped_runs_on_a_new_one(
    database_url: str, connection: AsyncConnection
) -> None:
    """A request that only reads, whose pooled connection the server ended, gets its answer
    on a new connection instead of an error; the requests after it too. Statements kept
    compiled run past SQLAlchemy, which would otherwise see to the dead connection."""
    engine = create_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    page = "{ customers(first: 1) { totalCount nodes { id } } }"

    async def run() -> ExecutionResult:
        context = Context(
            session=sessions(),
            principal=Principal(shop_id=SHOP_ID, staff_id=1, role=Role.OWNER),
            settings=Settings(),
            now=lambda: datetime.now(UTC),
        )
        try:
            return await schema.execute(page, context_value=context)
        finally:
            await context.session.close()

    try:
        before = [await run() for _ in range(2)]  # the second runs the kept statements
        await drop_pooled(sessions, connection)
        after = [await run() for _ in range(3)]
    finally:
        await engine.dispose()

    assert [result.errors for result in before + after] == [None] * 5
    assert [result.data for result in after] == [before[0].data] * 3


async def test_only_a_read_outside_a_transaction_runs_again_after_its_connection_is_lost(
    database_url: str, connection: AsyncConnection
) -> None:
    """Running a statement again on a new connection is safe only for a SELECT outside a
    transaction (a session that only reads): a transaction's earlier statements are lost with
    the connection, and a text statement may write. Those fail with an error `unavailable`
    recognises, and the dead connection is replaced for the next session."""
    engine = create_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    kept_sql = "SELECT $1::int + 1"

    async def outcome(read_only: bool, statement: str) -> object:
        await drop_pooled(sessions, connection)
        async with sessions() as session:
            assert isinstance(session, SerialSession)
            if read_only:
                await session.read_only()
            try:
                if statement == "select":
                    return await session.scalar(select(literal(41) + 1))
                if statement == "kept":
                    return (await session.driver_fetch(kept_sql, [41]))[0][0]
                return await session.scalar(text("SELECT 42"))
            except Exception as error:
                return "lost" if lost(error) and unavailable(error) else repr(error)

    try:
        outcomes = {
            (read_only, statement): await outcome(read_only, statement)
            for read_only in (True, False)
            for statement in ("select", "kept", "text")
        }
        async with sessions() as session:
            afterwards = await session.scalar(text("SELECT 42"))
    finally:
        await engine.dispose()

    assert outcomes == {
        (True, "select"): 42,
        (True, "kept"): 42,
        (True, "text"): "lost",
        (False, "select"): "lost",
        (False, "kept"): "lost",
        (False, "text"): "lost",
    }
    assert afterwards == 42


async def test_a_job_meeting_a_connection_the_server_dropped_runs_again(
    database_url: str, connection: AsyncConnection
) -> None:
    """The job worker's runs start from what is stored, so a run whose connection the server
    ended runs once more on a new one, counted once, with a warning instead of a failure."""
    engine = create_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    metrics = Metrics()
    try:
        async with webhook_client(local_network=True) as client:
            jobs.use(jobs.Resources(sessions, client, lambda: datetime.now(UTC), metrics))
            first = await jobs.refresh_segments(timestamp=0)
            await drop_pooled(sessions, connection)
            with capture_logs() as logs:
                again = await jobs.refresh_segments(timestamp=0)
    finally:
        await engine.dispose()

    assert (first, again) == (0, 0)
    value = metrics.registry.get_sample_value
    assert value("customer_hub_jobs_total", {"job": "refresh_segments", "outcome": "ok"}) == 2
    assert value("customer_hub_jobs_total", {"job": "refresh_segments", "outcome": "error"}) is None
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [(entry["event"], entry["job"]) for entry in warnings] == [
        ("job met a dropped database connection; running it again", "refresh_segments")
    ]
