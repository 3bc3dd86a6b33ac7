"""Each staff member's requests spend a budget of cost points that refills over time; an
operation costing more than is left is refused with `THROTTLED` and when to try again, and
every response says what is left (X4)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.staff import Role
from graph.cost import COUNT_COST
from graph.throttle import Budget, throttle_status
from infra.settings import Settings
from tests.conftest import Clock, StatementLog, TokenMaker, app_client, posted
from tests.factories import make_customer

pytestmark = pytest.mark.spec("X4")

COUNT = "{ customers(first: 0) { totalCount } }"  # costs COUNT_COST


def test_a_budget_is_spent_refused_and_refilled() -> None:
    clock = Clock()
    budget = Budget(capacity=300, restore=10, clock=clock)

    first = budget.take("lan", 200)
    refused = budget.take("lan", 150)
    other = budget.take("minh", 300)  # each caller has a bucket of their own
    clock.now += 5  # 50 points back
    later = budget.take("lan", 150)
    clock.now += 3600  # never more than the bucket holds
    rested = budget.take("lan", 0)
    spent_again = budget.take("lan", 250)
    refunded = budget.take("lan", -100)  # given back what it did not use
    overpaid = budget.take("lan", -1000)  # never past what the bucket holds

    assert (first.allowed, first.available, first.wait) == (True, 100, 0)
    assert (refused.allowed, refused.available, refused.wait) == (False, 100, 5)
    assert (other.allowed, other.available) == (True, 0)
    assert (later.allowed, later.available) == (True, 0)
    assert rested.available == 300
    assert [s.available for s in (spent_again, refunded, overpaid)] == [50, 150, 300]
    assert throttle_status(budget, refused) == {
        "maximumAvailable": 300,
        "currentlyAvailable": 100,
        "restoreRate": 10,
    }


@pytest_asyncio.fixture(loop_scope="session")
async def small_budget(connection: AsyncConnection, now: object) -> AsyncIterator[AsyncClient]:
    """Room for two counts, refilled at a point a second: a third waits about 50 s."""
    settings = Settings(rate_limit_points=2 * COUNT_COST + 50, rate_limit_restore=1)
    async with app_client(connection, now, settings) as client:  # type: ignore[arg-type]
        yield client


async def test_an_operation_past_the_budget_is_refused_before_it_runs(
    small_budget: AsyncClient, make_token: TokenMaker, sql_statements: StatementLog
) -> None:
    lan, minh = (
        await make_token(Role.OWNER, name="Lan"),
        await make_token(Role.SHOP_ADMIN, name="Minh"),
    )

    spent = [await posted(small_budget, lan, COUNT) for _ in range(2)]
    sql_statements.clear()
    refused = await posted(small_budget, lan, COUNT)
    ran = [s for s in sql_statements.statements if "customer" in s]
    others = await posted(small_budget, minh, COUNT)

    assert [body["data"] for body in spent] == [{"customers": {"totalCount": 0}}] * 2
    status = [body["extensions"]["cost"]["throttleStatus"] for body in spent]  # type: ignore[index]
    assert [s["currentlyAvailable"] for s in status] == [150, 50]
    assert status[0]["maximumAvailable"] == 250
    assert status[0]["restoreRate"] == 1

    assert refused["data"] is None
    [error] = refused["errors"]  # type: ignore[misc]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["cost"] == COUNT_COST
    assert error["extensions"]["currentlyAvailable"] == 50
    assert error["extensions"]["retryAfter"] == 50
    assert "try again in 50 s" in error["message"]
    assert ran == []  # refused before anything ran
    # another staff member's budget is untouched
    assert others["data"] == {"customers": {"totalCount": 0}}


async def test_an_operation_dearer_than_the_whole_budget_says_to_split_it(
    small_budget: AsyncClient, token: str
) -> None:
    aliases = " ".join(f"c{i}: customers(first: 0) {{ totalCount }}" for i in range(3))

    refused = await posted(small_budget, token, f"{{ {aliases} }}")

    [error] = refused["errors"]  # type: ignore[misc]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["retryAfter"] is None
    assert "more than the budget ever holds (250): split it" in error["message"]


async def test_what_an_operation_did_not_use_is_given_back(
    connection: AsyncConnection, now: object, session: AsyncSession, token: str
) -> None:
    """A page of 100 that returned 3 rows is charged 100 before it runs and given back 97
    after; an operation that ended in an error keeps its whole charge."""
    for name in ("An", "Bình", "Chi"):
        await make_customer(session, full_name=name)
    await session.flush()
    settings = Settings(rate_limit_points=1000, rate_limit_restore=1)
    page = "{ customers(first: 100) { nodes { fullName } } }"
    failing = "{ customers(first: 100, filter: {ordersCount: {min: 5, max: 1}}) { nodes { id } } }"
    async with app_client(connection, now, settings) as client:  # type: ignore[arg-type]
        used = await posted(client, token, page)
        failed = await posted(client, token, failing)

    assert len(used["data"]["customers"]["nodes"]) == 3
    cost = used["extensions"]["cost"]
    assert (cost["requested"], cost["actual"]) == (100, 3)
    assert 997 <= cost["throttleStatus"]["currentlyAvailable"] <= 1000  # 1 a second refills
    assert failed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    kept = failed["extensions"]["cost"]
    assert "actual" not in kept
    left = cost["throttleStatus"]["currentlyAvailable"]
    assert left - 100 <= kept["throttleStatus"]["currentlyAvailable"] <= left - 100 + 2


async def test_zero_points_lifts_the_budget(connection: AsyncConnection, token: str) -> None:
    settings = Settings(rate_limit_points=0)
    async with app_client(connection, object(), settings) as client:  # type: ignore[arg-type]
        bodies = [await posted(client, token, COUNT) for _ in range(3)]

    assert all("errors" not in body for body in bodies)
    assert all("throttleStatus" not in body["extensions"]["cost"] for body in bodies)  # type: ignore[index]
