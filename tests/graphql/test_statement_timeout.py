"""A statement that runs past the API's time limit is stopped by PostgreSQL and reported as a
`TIMEOUT` error, without internals; a mutation it stops saves nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from infra.database import SerialSession, create_engine, timed_out
from tests.conftest import GraphQL
from tests.factories import make_customer

pytestmark = pytest.mark.spec("X4")


@pytest_asyncio.fixture(loop_scope="session")
async def locked(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Another connection; `LOCK TABLE` in it makes the API's statements on that table wait."""
    async with engine.connect() as other:
        await other.begin()
        yield other
        await other.rollback()


async def lock(other: AsyncConnection, table: str) -> None:
    await other.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))


async def limit(session: AsyncSession, ms: int) -> None:
    """The time limit for the rest of the test's transaction, which the API's sessions share."""
    await session.execute(text(f"SET LOCAL statement_timeout = {ms}"))


async def test_a_query_past_the_limit_is_a_timeout_error(
    gql: GraphQL, session: AsyncSession, locked: AsyncConnection
) -> None:
    await limit(session, 200)
    await lock(locked, "customer")

    body = await gql("{ customers(first: 5) { totalCount nodes { fullName } } }")

    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "TIMEOUT"}
    assert error["path"] == ["customers"]
    assert error["message"] == (
        "This took longer than the server allows and was stopped; nothing was saved. Narrow"
        " the filter or ask for fewer rows, or try again later."
    )


TAG_CREATE = """
mutation($name: String!) { tagCreate(input: {name: $name}) { tag { name } userErrors { code } } }
"""


async def test_a_mutation_past_the_limit_saves_nothing(
    gql: GraphQL, session: AsyncSession, locked: AsyncConnection
) -> None:
    await limit(session, 200)
    await lock(locked, "tag")

    stopped = await gql(TAG_CREATE, {"name": "Chờ hàng"})
    await locked.rollback()  # the lock goes
    after = await gql(TAG_CREATE, {"name": "Đã về"})

    assert stopped["data"] is None
    assert [e["extensions"]["code"] for e in stopped["errors"]] == ["TIMEOUT"]
    assert stopped["errors"][0]["path"] == ["tagCreate"]
    assert after["data"]["tagCreate"] == {"tag": {"name": "Đã về"}, "userErrors": []}
    names = await session.scalars(text("SELECT name FROM tag ORDER BY name"))
    assert names.all() == ["Đã về"]


async def test_the_service_engine_carries_the_limit_and_its_errors_are_recognised(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=1, statement_timeout_ms=150)
    try:
        session = SerialSession(bind=engine)
        assert await session.scalar(text("SHOW statement_timeout")) == "150ms"
        with pytest.raises(DBAPIError) as through_sqlalchemy:
            await session.execute(text("SELECT pg_sleep(1)"))
        await session.rollback()
        with pytest.raises(Exception) as through_driver:  # noqa: PT011 - asyncpg's own class
            await session.driver_fetch("SELECT pg_sleep(1)", [])
        await session.close()
    finally:
        await engine.dispose()

    assert timed_out(through_sqlalchemy.value)
    assert timed_out(through_driver.value)
    assert not timed_out(ValueError("canceling statement"))


async def test_any_other_database_failure_is_a_coded_internal_error_without_internals(
    gql: GraphQL, session: AsyncSession, locked: AsyncConnection
) -> None:
    # A lock wait PostgreSQL gives up on (lock_timeout, which the service does not set): an
    # error the service does not expect.
    await session.execute(text("SET LOCAL lock_timeout = 100"))
    await lock(locked, "customer")

    body = await gql("{ customers(first: 5) { totalCount } }")

    error = body["errors"][0]
    assert error["message"] == "Internal server error; it has been logged."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["customers", "totalCount"]


async def test_saving_a_segment_leaves_its_members_to_the_worker(
    gql: GraphQL, session: AsyncSession, locked: AsyncConnection
) -> None:
    # Storing a million members takes seconds; the mutations do not touch the member tables,
    # so they answer within the limit even while those tables are locked.
    await make_customer(session, full_name="Lan")
    await session.flush()
    await limit(session, 100)
    await lock(locked, "segment_member")
    body = await gql(
        """mutation { segmentCreate(input: {name: "Mọi khách", definition: {}}) {
             segment { id memberCount membersPending membersStoredAt } userErrors { code } } }"""
    )
    created = body["data"]["segmentCreate"]
    assert created["userErrors"] == []
    segment = created["segment"]
    assert (segment["memberCount"], segment["membersPending"]) == (1, True)
    assert segment["membersStoredAt"] is None
    body = await gql(
        """mutation($id: ID!) { segmentUpdate(input: {id: $id, definition: {include: [
             {fullName: {contains: "lan"}}]}}) { segment { membersPending } userErrors { code } } }""",
        {"id": segment["id"]},
    )
    assert "errors" not in body, body
    assert body["data"] == {
        "segmentUpdate": {"segment": {"membersPending": True}, "userErrors": []}
    }
