"""A query runs its statements without a transaction around them; a mutation keeps one.

These sessions are bound to the engine, as the service's are, not to the test's rolled-back
connection: nothing here writes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.schema import schema
from infra.database import SerialSession, session_factory
from tests.conftest import owner_context

XID = text("SELECT pg_current_xact_id()::text")


async def _xids(session: SerialSession) -> set[str]:
    return {await session.scalar(XID), await session.scalar(XID)}


async def _run(session: SerialSession, document: str) -> dict[str, object] | None:
    result = await schema.execute(document, context_value=owner_context(session))
    assert result.errors is None
    return result.data


COUNT_TAGS = "{ tags(first: 1) { totalCount } }"


async def test_a_query_runs_each_statement_on_its_own(engine: AsyncEngine) -> None:
    session = session_factory(engine)()
    try:
        assert await _run(session, COUNT_TAGS) == {"tags": {"totalCount": 0}}
        # Outside a transaction every statement gets its own transaction id.
        assert len(await _xids(session)) == 2
    finally:
        await session.close()


async def test_a_session_that_has_begun_stays_in_its_transaction(engine: AsyncEngine) -> None:
    session = session_factory(engine)()
    try:
        await session.scalar(text("SELECT 1"))
        await _run(session, COUNT_TAGS)
        assert len(await _xids(session)) == 1
    finally:
        await session.close()


async def test_a_mutation_keeps_its_transaction(engine: AsyncEngine) -> None:
    session = session_factory(engine)()
    try:
        await _run(
            session, 'mutation { tagFolderCreate(input: {name: ""}) { userErrors { code } } }'
        )
        assert len(await _xids(session)) == 1
    finally:
        await session.close()


async def test_a_closed_session_takes_no_more_statements(engine: AsyncEngine) -> None:
    """Work of a finished request that still tries a statement fails rather than checking
    out a connection that nobody would return."""
    session = session_factory(engine)()
    await _run(session, COUNT_TAGS)
    await session.close()
    checked_out = engine.pool.checkedout()  # type: ignore[attr-defined]

    with pytest.raises(InvalidRequestError, match="closed"):
        await session.scalar(text("SELECT 1"))
    assert engine.pool.checkedout() == checked_out  # type: ignore[attr-defined]


async def test_a_query_takes_one_connection_for_all_its_statements(engine: AsyncEngine) -> None:
    """Statements built with SQLAlchemy and statements kept compiled run on the one connection
    the session took when its first query began, and it goes back to the pool when the
    session closes."""
    checkouts: list[int] = []

    def checked_out(dbapi_connection: object, *_: object) -> None:
        checkouts.append(id(dbapi_connection))

    event.listen(engine.sync_engine.pool, "checkout", checked_out)
    try:
        for _ in range(3):  # the later rounds run the count through its kept statement
            session = session_factory(engine)()
            try:
                data = await _run(
                    session, "{ customers(first: 2) { totalCount nodes { tags { name } } } }"
                )
                assert data == {"customers": {"totalCount": 0, "nodes": []}}
                data = await _run(session, COUNT_TAGS)
                assert data == {"tags": {"totalCount": 0}}
            finally:
                await session.close()
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        event.remove(engine.sync_engine.pool, "checkout", checked_out)
    assert len(checkouts) == 3  # one per session
