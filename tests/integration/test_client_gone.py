"""A query whose client disconnects stops its statement in PostgreSQL instead of running it to
the end for nobody; a mutation whose client disconnects still finishes what it started.

The requests go through the JSON POST path (``graph.transport``) on sessions bound to the
engine, as the service's are. A table lock held by another connection keeps their statements
waiting, so the test can see each one on the server and watch what becomes of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.context import Context
from graph.schema import schema
from graph.transport import WATCH_AFTER, JsonPost, _Departure
from infra.database import session_factory
from tests.conftest import owner_context

pytestmark = pytest.mark.spec("X4")

COUNT = "{ customers { totalCount } }"
TAG_CREATE = 'mutation { tagCreate(input: {name: "Khách đi vội"}) { tag { name } } }'
WAITING = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND wait_event_type = 'Lock'"
)
STILL_THERE = text("SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = :pid")
WAITS = ("active", "Lock")


class Client:
    """An ASGI client that sends one JSON POST and can leave before the answer."""

    def __init__(self, query: str) -> None:
        self.body = orjson.dumps({"query": query})
        self.leave = asyncio.Event()
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.body:
            body, self.body = self.body, b""
            return {"type": "http.request", "body": body, "more_body": False}
        await self.leave.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def answer(self) -> Any:
        return orjson.loads(self.sent[-1]["body"])


def app(engine: AsyncEngine) -> JsonPost:
    sessions = session_factory(engine)

    @asynccontextmanager
    async def context(_: str | None) -> AsyncIterator[Context]:
        session = sessions()
        try:
            yield owner_context(session)
        finally:
            await session.close()

    async def framework(*_: Any) -> None:
        raise AssertionError("a one-operation JSON POST is answered by the short path")

    return JsonPost(
        framework,
        path="/graphql",
        schema=schema,
        context=context,
        max_body=4096,
        refused=lambda: None,
    )


SCOPE = {
    "type": "http",
    "method": "POST",
    "path": "/graphql",
    "headers": [(b"content-type", b"application/json")],
}


async def waiting_statement(engine: AsyncEngine) -> int:
    """The server pid of the request's statement, once it waits for the lock (it may wait
    while being prepared, when PostgreSQL shows no text for it)."""
    async with engine.connect() as watcher:
        for _ in range(200):
            pid = await watcher.scalar(WAITING)
            if pid is not None:
                return int(pid)
            await watcher.rollback()  # a transaction sees one snapshot of the activity
            await asyncio.sleep(0.025)
    raise AssertionError("no statement waited for the lock")


State = tuple[str, str | None] | None


async def state_of(engine: AsyncEngine, pid: int) -> State:
    """What the server process ``pid`` is doing; None once it has ended."""
    async with engine.connect() as watcher:
        row = (await watcher.execute(STILL_THERE, {"pid": pid})).one_or_none()
    return None if row is None else (row[0], row[1])


async def soon(engine: AsyncEngine, pid: int, done: Callable[[State], bool]) -> bool:
    """Whether the state of the server process ``pid`` meets ``done`` within a few seconds."""
    for _ in range(100):
        if done(await state_of(engine, pid)):
            return True
        await asyncio.sleep(0.05)
    return False


async def stopped(engine: AsyncEngine, pid: int) -> bool:
    """Whether the statement of ``pid`` stops waiting for the lock within a few seconds."""
    return await soon(engine, pid, lambda state: state != WAITS)


async def ended(engine: AsyncEngine, pid: int) -> bool:
    """Whether the server process ``pid`` ends within a few seconds."""
    return await soon(engine, pid, lambda state: state is None)


@asynccontextmanager
async def waiting(
    engine: AsyncEngine, table: str, client: Client
) -> AsyncIterator[tuple[asyncio.Future[None], int]]:
    """``client``'s request started while another connection locks ``table``, once its
    statement waits for the lock and the request listens for its client: the request and the
    statement's server pid. The lock goes when the block ends; the request is then awaited."""
    other = await engine.connect()
    await other.begin()
    await other.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    try:
        request = asyncio.ensure_future(app(engine)(SCOPE, client.receive, client.send))
        pid = await waiting_statement(engine)
        await asyncio.sleep(WATCH_AFTER * 2)
        assert await state_of(engine, pid) == WAITS
        yield request, pid
    finally:
        await other.rollback()
        await other.close()
    await asyncio.wait_for(request, timeout=5)


async def test_a_query_whose_client_leaves_stops_its_statement(engine: AsyncEngine) -> None:
    client = Client(COUNT)
    async with waiting(engine, "customer", client) as (_, pid):
        client.leave.set()

        # The lock is still held: the statement no longer waits because it was stopped (asyncpg
        # cancels it, and the session discards the connection it was cut off on).
        assert await stopped(engine, pid)
    answer = client.answer()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    # Cut off mid-way, its connection is closed, not handed back to the pool: the server
    # process ends.
    assert await ended(engine, pid)


async def test_a_query_whose_client_stays_waits_for_its_answer(engine: AsyncEngine) -> None:
    client = Client(COUNT)
    async with waiting(engine, "customer", client) as (request, pid):
        await asyncio.sleep(WATCH_AFTER * 2)

        assert await state_of(engine, pid) == WAITS
        assert not request.done()
    assert client.answer()["data"] == {"customers": {"totalCount": 0}}


async def test_a_mutation_whose_client_leaves_finishes_what_it_started(
    engine: AsyncEngine,
) -> None:
    client = Client(TAG_CREATE)
    async with waiting(engine, "tag", client) as (_, pid):
        client.leave.set()
        await asyncio.sleep(WATCH_AFTER * 2)

        assert await state_of(engine, pid) == WAITS
    try:
        assert client.answer()["data"] == {"tagCreate": {"tag": {"name": "Khách đi vội"}}}
        async with engine.connect() as check:
            made = await check.scalar(text("SELECT count(*) FROM tag WHERE name = 'Khách đi vội'"))
        assert made == 1
    finally:
        async with engine.begin() as cleanup:
            await cleanup.execute(text("DELETE FROM tag WHERE name = 'Khách đi vội'"))


async def test_a_server_that_sends_more_than_the_disconnection_ends_the_watch() -> None:
    """ASGI's next message after the body is the disconnection; a server that hands out
    something else instead must not make the watch spin on it."""
    received: list[str] = []
    gone: list[bool] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0)
        received.append("http.request")
        return {"type": "http.request", "body": b"", "more_body": False}

    departure = _Departure(receive, lambda: gone.append(True))
    await asyncio.sleep(WATCH_AFTER * 3)
    departure.stop()

    assert received == ["http.request"]
    assert gone == []
