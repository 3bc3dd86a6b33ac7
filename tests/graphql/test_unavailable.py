"""A database out of reach is answered with a coded error a client can retry on, never an
HTTP 500 or a traceback (X4): a request that cannot even read its token gets HTTP 503 with
`Retry-After`, a field that finds no connection `SERVICE_UNAVAILABLE`, and `/readyz` says so
to a load balancer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app import create_app
from domain.staff import Principal, Role
from graph.context import Context
from graph.errors import UNAVAILABLE
from graph.schema import schema
from graphql import ExecutionResult, GraphQLError
from infra.database import create_engine, session_factory
from infra.metrics import Metrics
from infra.settings import Settings
from tests.conftest import SHOP_ID

pytestmark = pytest.mark.spec("X4")

WELL_FORMED_TOKEN = "chub_1_" + "A" * 43
"""A token the service must look up in the database to know it is not valid."""
REFUSED = {
    "data": None,
    "errors": [{"message": UNAVAILABLE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}],
}


def closed_port() -> int:
    """A port of this machine that nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


async def test_a_connection_the_server_dropped_fails_one_request_and_is_replaced(
    database_url: str, connection: AsyncConnection
) -> None:
    """A PostgreSQL restart, a fail-over or an idle-connection killer ends the pool's
    connections under it. The request that meets a dead one gets `SERVICE_UNAVAILABLE`;
    the connection is dropped, so the next request gets a new one instead of the same
    failure again (statements kept compiled run past SQLAlchemy, which would otherwise
    see to it)."""
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
        before = await run()
        async with sessions() as session:  # the pooled connection the page ran on
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(50):  # the server ends the backend a moment later
            gone = await connection.scalar(
                text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            if gone:
                break
            await asyncio.sleep(0.02)
        lost = await run()
        after = [await run() for _ in range(2)]
    finally:
        await engine.dispose()

    assert before.errors is None
    assert [(e.message, code(e)) for e in lost.errors or ()] == [
        (UNAVAILABLE, "SERVICE_UNAVAILABLE")
    ]
    assert [result.errors for result in after] == [None, None]
    assert [result.data for result in after] == [before.data] * 2
