"""A request's fields share one database session. When one field fails while a sibling's
statement is running, the sibling's statement is finished, not cut off, and nothing of the
request still runs on the session once the answer is out."""

from __future__ import annotations

import asyncio
import gc
import warnings

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import GraphQL
from tests.factories import make_customer

pytestmark = pytest.mark.spec("X4")

COUNT_AND_WRONG_LIST = """
{
  segmentPreview(definition: {exclude: []}, first: 0, list: CUSTOMERS) {
    count
    subscribers { utmCampaign }
  }
}
"""


async def test_a_failing_field_leaves_its_siblings_statements_whole(
    gql: GraphQL, session: AsyncSession
) -> None:
    await make_customer(session, full_name="Lan")
    await session.flush()

    body = await gql(COUNT_AND_WRONG_LIST)

    assert body["data"] is None
    assert body["errors"][0]["path"] == ["segmentPreview", "subscribers"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # The count that was running when the error came was neither cut off (which aborts the
    # transaction it runs in) nor left running: the connection takes the next statement.
    assert await session.scalar(text("SELECT 1")) == 1
    after = await gql("{ customers { totalCount } }")
    assert after["data"] == {"customers": {"totalCount": 1}}
    assert "errors" not in after


async def test_a_cancelled_statement_runs_to_its_end_before_the_cancellation(
    session: AsyncSession,
) -> None:
    running = asyncio.ensure_future(session.execute(text("SELECT pg_sleep(0.2)")))
    await asyncio.sleep(0.05)
    running.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running
    # PostgreSQL cancels a statement cut off mid-way and aborts the transaction around it;
    # a finished one leaves the transaction usable.
    assert await session.scalar(text("SELECT 2")) == 2


async def test_the_router_path_settles_its_fields_too(client: AsyncClient, token: str) -> None:
    # GET takes strawberry's own view rather than the JSON POST short path.
    response = await client.get(
        "/graphql",
        params={"query": COUNT_AND_WRONG_LIST},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    again = await client.get(
        "/graphql",
        params={"query": "{ customers { totalCount } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.json()["data"] == {"customers": {"totalCount": 0}}
    assert "errors" not in again.json()


async def test_an_operation_cancelled_while_it_waits_its_turn_never_runs(
    session: AsyncSession,
) -> None:
    await session.execute(text("CREATE TEMP TABLE probe (x int) ON COMMIT DROP"))
    running = asyncio.ensure_future(session.execute(text("SELECT pg_sleep(0.1)")))
    waiting = asyncio.ensure_future(session.execute(text("INSERT INTO probe VALUES (1)")))
    await asyncio.sleep(0.02)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await running
        del waiting
        gc.collect()

    assert await session.scalar(text("SELECT count(*) FROM probe")) == 0
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
