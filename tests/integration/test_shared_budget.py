"""Budgets kept in Redis (`RATE_LIMIT_REDIS_URL`): every server process charges one bucket per
caller, with the same arithmetic as a process's own buckets, and a Redis out of reach falls
back to those (X4). Run against `TEST_REDIS_URL`, else the Redis on this machine's default
port; skipped, saying so, where none answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncConnection
from structlog.testing import capture_logs

from app import create_app
from domain.budget import Spent
from graph.cost import COUNT_COST
from graph.throttle import Budget
from infra.budgets import SharedBudget
from infra.settings import Settings
from tests.conftest import Clock, _session, closed_port, posted

pytestmark = pytest.mark.spec("X4")

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
COUNT = "{ customers(first: 0) { totalCount } }"  # costs COUNT_COST


@pytest_asyncio.fixture(loop_scope="session")
async def redis_url() -> AsyncIterator[str]:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({error}); shared budgets untested")
    finally:
        await client.aclose()
    yield REDIS_URL


@pytest_asyncio.fixture(loop_scope="session")
async def two_processes(redis_url: str) -> AsyncIterator[list[Redis]]:
    """The Redis clients of two server processes."""
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


def shared(url: str, prefix: str, capacity: int, restore: float) -> SharedBudget:
    budget = SharedBudget.connect(url, fallback=Budget(capacity, restore))
    budget.prefix = prefix
    return budget


def unique_prefix() -> str:
    """Keys of this test alone, whatever else uses the same Redis meanwhile."""
    return f"customer_hub_test:{uuid.uuid4().hex}:"


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which caller
        st.integers(min_value=0, max_value=1),  # which server process
        st.floats(min_value=0, max_value=40, allow_nan=False),  # seconds since the last step
        st.integers(min_value=-400, max_value=400),  # a cost, or (below 0) a refund
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
async def test_processes_sharing_redis_charge_one_bucket_as_one_process_would(
    two_processes: list[Redis], steps: list[tuple[int, int, float, int]]
) -> None:
    """Whatever the order of callers, processes, pauses and costs, the buckets in Redis,
    charged through two processes, answer as one process's own buckets would."""
    clock = Clock(1_000_000.0)
    alone = Budget(300, 10, clock=clock)
    prefix = unique_prefix()
    fallbacks = [Budget(300, 10, clock=clock) for _ in two_processes]
    processes = [
        SharedBudget(client, fallback, prefix=prefix, clock=clock)
        for client, fallback in zip(two_processes, fallbacks, strict=True)
    ]
    answers: list[tuple[Spent, Spent]] = []
    for caller, process, pause, points in steps:
        clock.now += pause
        who = (1, caller)
        answers.append((await processes[process].spend(who, points), alone.take(who, points)))

    assert [fallback._levels for fallback in fallbacks] == [{}, {}]  # Redis answered each time
    for in_redis, own in answers:
        assert in_redis.allowed == own.allowed
        assert in_redis.available == pytest.approx(own.available, abs=1e-6)
        assert in_redis.wait == pytest.approx(own.wait, abs=1e-6)


async def test_buckets_in_redis_refill_by_the_redis_server_clock(redis_url: str) -> None:
    prefix = unique_prefix()
    first, second = (shared(redis_url, prefix, 300, 10) for _ in range(2))
    try:
        spent = await first.spend((1, 1), 200)
        refused = await second.spend((1, 1), 150)
        other = await second.spend((1, 2), 300)
    finally:
        await first.aclose()
        await second.aclose()

    assert (spent.allowed, spent.available) == (True, pytest.approx(100, abs=1))
    assert refused.allowed is False
    assert refused.wait == pytest.approx(5, abs=0.2)  # 50 points at 10 a second
    assert (other.allowed, other.available) == (True, 0)


async def test_with_redis_out_of_reach_the_process_charges_its_own_buckets() -> None:
    budget = SharedBudget.connect(
        f"redis://127.0.0.1:{closed_port()}/0", fallback=Budget(300, 10, clock=Clock())
    )
    try:
        with capture_logs() as logs:
            spent = [await budget.spend((1, 1), points) for points in (200, 150, 100)]
    finally:
        await budget.aclose()

    assert [(s.allowed, s.available) for s in spent] == [(True, 100), (False, 100), (True, 0)]
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [entry["event"] for entry in warnings] == [
        "budget store unreachable; charging this process's own budgets meanwhile"
    ]  # once, not once a request
    assert "ConnectionError" in warnings[0]["error"]


async def test_two_servers_on_one_redis_give_a_caller_one_budget(
    redis_url: str, connection: AsyncConnection, now: datetime, token: str
) -> None:
    """Two server processes behind a balancer: what the first spends, the second sees."""
    config = Settings(
        rate_limit_points=3 * COUNT_COST, rate_limit_restore=1, rate_limit_redis_url=redis_url
    )
    prefix = unique_prefix()
    apps = [
        create_app(settings=config, sessions=lambda: _session(connection), now=lambda: now)
        for _ in range(2)
    ]
    bodies = []
    try:
        for app in apps:
            app.state.budget.prefix = prefix
        clients = [
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test") for app in apps
        ]
        for client in (clients[0], clients[1], clients[0], clients[1]):
            bodies.append(await posted(client, token, COUNT))
    finally:
        for app in apps:
            await app.state.budget.aclose()

    left = [
        body["extensions"]["cost"].get("throttleStatus", {}).get("currentlyAvailable")
        for body in bodies
    ]
    assert left[:3] == [2 * COUNT_COST, COUNT_COST, 0]
    assert bodies[3]["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert bodies[3]["errors"][0]["extensions"]["currentlyAvailable"] == 0
