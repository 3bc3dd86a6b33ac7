"""`GET /metrics`: operations by type, root field and outcome, their durations, and the
database pool, in Prometheus' text format."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import pytest_asyncio
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from cli import serve_with_worker
from infra.metrics import Metrics
from infra.settings import Settings
from tests.conftest import GraphQL, app_client

pytestmark = pytest.mark.spec("X4")


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(exposition: str) -> Samples:
    """Each sample's value by its name and its labels, sorted."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def scrape(client: AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


def operations(kind: str, field: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    labels = {"type": kind, "field": field, "outcome": outcome}
    return "customer_hub_graphql_operations_total", tuple(sorted(labels.items()))


async def test_operations_are_counted_by_type_root_field_and_outcome(
    client: AsyncClient, gql: GraphQL
) -> None:
    assert (await gql("{ shop { name } }"))["data"]["shop"]["name"]
    assert (await gql("query Shop { shop { name } viewer { role } }"))["data"]
    bad = await gql("{ customers(first: 101) { totalCount } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    mutation = await gql('mutation { tagCreate(input: {name: "Khách quen"}) { tag { id } } }')
    assert mutation["data"]["tagCreate"]["tag"]["id"]
    unparsable = await gql("{ shop { name }")
    assert unparsable["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    anonymous = await client.post("/graphql", json={"query": "{ shop { name } }"})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    samples = await scrape(client)

    assert samples[operations("query", "shop", "ok")] == 2
    assert samples[operations("query", "customers", "BAD_USER_INPUT")] == 1
    assert samples[operations("mutation", "tagCreate", "ok")] == 1
    assert samples[operations("", "", "GRAPHQL_PARSE_FAILED")] == 1
    assert samples[operations("query", "shop", "UNAUTHENTICATED")] == 1
    seconds = "customer_hub_graphql_operation_seconds_count"
    assert samples[(seconds, (("field", "shop"), ("type", "query")))] == 3
    assert samples[(seconds, (("field", "tagCreate"), ("type", "mutation")))] == 1


async def test_a_request_refused_before_any_operation_is_counted(
    connection: AsyncConnection, now: datetime, token: str
) -> None:
    """No query, a body that is no JSON, an unknown operation name, a GET of a mutation and a
    body over the limit are answered 400 / 413 before any operation runs: each is counted as
    `BAD_USER_INPUT` with empty type and field, and nothing else is."""
    settings = Settings(max_request_bytes=2048, graphiql=False)
    headers = {"Authorization": f"Bearer {token}"}
    async with app_client(connection, now, settings) as client:
        answers = [
            await client.post("/graphql", json={"variables": {}}, headers=headers),
            await client.post(
                "/graphql",
                content=b"{not json",
                headers={**headers, "Content-Type": "application/json"},
            ),
            await client.post(
                "/graphql",
                json={"query": "query A { shop { name } }", "operationName": "B"},
                headers=headers,
            ),
            await client.get(
                "/graphql",
                params={"query": 'mutation { tagCreate(input: {name: "x"}) { tag { id } } }'},
                headers=headers,
            ),
            await client.post("/graphql", json={"query": "#" * 4096}, headers=headers),
            await client.post("/graphql", json={"query": "{ shop { name } }"}, headers=headers),
        ]
        samples = await scrape(client)

    assert [answer.status_code for answer in answers] == [400, 400, 400, 400, 413, 200]
    assert samples[operations("", "", "BAD_USER_INPUT")] == 5
    counted = {
        labels: value
        for (name, labels), value in samples.items()
        if name == "customer_hub_graphql_operations_total"
    }
    assert counted == {
        operations("", "", "BAD_USER_INPUT")[1]: 5,
        operations("query", "shop", "ok")[1]: 1,
    }


async def test_an_operation_that_fails_unexpectedly_counts_as_an_internal_error(
    client: AsyncClient, gql: GraphQL, session: AsyncSession
) -> None:
    assert (await gql("{ viewer { role } }"))["data"]  # the token is known from now on
    # a failure the service does not expect: its tables are not where it looks
    await session.execute(text("SET LOCAL search_path = pg_catalog"))
    answer = await gql("{ shop { name } }")
    await session.execute(text("SET LOCAL search_path = public"))
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"

    samples = await scrape(client)

    assert samples[operations("query", "shop", "INTERNAL_SERVER_ERROR")] == 1
    assert samples[operations("query", "viewer", "ok")] == 1


def connections(metrics: Metrics) -> dict[tuple[str, str], float]:
    """``customer_hub_db_connections`` by pool and state."""
    return {
        (dict(labels)["pool"], dict(labels)["state"]): value
        for (name, labels), value in samples(metrics.exposition().decode()).items()
        if name == "customer_hub_db_connections"
    }


async def test_the_pool_reports_connections_in_use_and_idle(engine: AsyncEngine) -> None:
    metrics = Metrics()
    metrics.watch_pool(engine)

    before = connections(metrics)
    async with engine.connect():
        during = connections(metrics)
    after = connections(metrics)

    assert set(before) == {("api", "in_use"), ("api", "idle")}
    assert during[("api", "in_use")] == before[("api", "in_use")] + 1
    assert after == before
    metrics.watch_pool(None)
    assert connections(metrics) == {}


async def test_the_worker_beside_the_api_reports_into_its_metrics(database_url: str) -> None:
    """`make run` runs the job worker in the API's process: its pool, and the jobs it runs,
    show in the API's `/metrics`; when the API stops, the worker stops and its pool goes."""
    metrics = Metrics()

    class Api:
        def __init__(self) -> None:
            self.seen: set[str] = set()

        async def serve(self) -> None:  # until the worker has started
            for _ in range(250):
                self.seen = {pool for pool, _ in connections(metrics)}
                if "worker" in self.seen:
                    return
                await asyncio.sleep(0.02)

    api = Api()
    await serve_with_worker(api, database_url, metrics)

    assert api.seen == {"worker"}
    assert connections(metrics) == {}


@pytest_asyncio.fixture(loop_scope="session")
async def unmetered(connection: AsyncConnection, now: datetime) -> AsyncIterator[AsyncClient]:
    async with app_client(connection, now, Settings(metrics=False)) as client:
        yield client


async def test_metrics_can_be_turned_off(unmetered: AsyncClient) -> None:
    assert (await unmetered.get("/metrics")).status_code == 404


def test_a_job_that_raises_is_counted_as_an_error() -> None:
    metrics = Metrics()

    with pytest.raises(RuntimeError), metrics.job("refresh_segments"):
        raise RuntimeError("the connection was lost")

    value = metrics.registry.get_sample_value
    assert value("customer_hub_jobs_total", {"job": "refresh_segments", "outcome": "error"}) == 1
    assert value("customer_hub_jobs_total", {"job": "refresh_segments", "outcome": "ok"}) is None
    assert value("customer_hub_job_seconds_count", {"job": "refresh_segments"}) == 1


def test_a_worker_apart_from_the_api_answers_scrapes_on_a_port_of_its_own() -> None:
    metrics = Metrics()
    with metrics.job("dispatch_outbox"):
        metrics.webhook_attempts.labels("failed").inc()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    server = metrics.serve("127.0.0.1", port, token=TOKEN)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        anonymous = httpx.get(url, timeout=5)
        wrong = httpx.get(url, headers={"Authorization": "Bearer not-it"}, timeout=5)
        response = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    finally:
        server.shutdown()

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "customer_hub" not in anonymous.text
    assert response.status_code == 200
    found = samples(response.text)
    labels = (("job", "dispatch_outbox"), ("outcome", "ok"))
    assert found["customer_hub_jobs_total", labels] == 1
    assert found["customer_hub_webhook_attempts_total", (("outcome", "failed"),)] == 1


TOKEN = "scrape-7f3a"


@pytest_asyncio.fixture(loop_scope="session")
async def guarded(connection: AsyncConnection, now: datetime) -> AsyncIterator[AsyncClient]:
    async with app_client(connection, now, Settings(metrics_token=TOKEN)) as client:
        yield client


async def test_a_metrics_token_keeps_other_scrapers_out(guarded: AsyncClient) -> None:
    anonymous = await guarded.get("/metrics")
    wrong = await guarded.get("/metrics", headers={"Authorization": "Bearer not-it"})
    allowed = await guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "customer_hub" not in anonymous.text + wrong.text
    assert allowed.status_code == 200
    assert "customer_hub_db_connections" in allowed.text
