"""Engines and sessions, and the embedded PostgreSQL used when no DATABASE_URL is given."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from domain.errors import ErrorCode

# asyncpg prepares every statement; after five executions PostgreSQL may switch a prepared
# statement to a generic plan, which for filters over skewed data is many times slower.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan", "jit": "off"}

T = TypeVar("T")


def async_url(url: str) -> str:
    """Accept postgres://, postgresql:// or postgresql+asyncpg:// and return the asyncpg form."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> tuple[str, dict[str, Any]]:
    """A DSN and keyword arguments for asyncpg itself (socket hosts travel as a keyword)."""
    parsed = make_url(async_url(url))
    kwargs: dict[str, Any] = {}
    host = parsed.query.get("host")
    if host:
        kwargs["host"] = host
    dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return dsn, kwargs


def with_database(url: str, name: str) -> str:
    return make_url(async_url(url)).set(database=name).render_as_string(hide_password=False)


def embedded_servers() -> Any:
    """The ``pgserver`` module, imported on first use: only the embedded path needs it. At
    import it picks a folder for its lock file with platformdirs, which warns where
    XDG_RUNTIME_DIR is unset (containers, CI) and falls back to /tmp/runtime-<uid>, a folder
    that serves as well; that warning is not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver
    return pgserver


def start_embedded(data_dir: Path, database: str) -> str:
    """Start (or reuse) the embedded PostgreSQL in ``data_dir`` and return a URL to ``database``.

    The server keeps running after this process exits, so the next start reuses it.
    """
    pgserver = embedded_servers()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir / "pg"), cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = str(data_dir / "pg")
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    statement_timeout_ms: int = 0,
    pool_timeout_s: float = 30.0,
) -> AsyncEngine:
    """An engine on ``url`` of up to twice ``pool_size`` connections; with
    ``statement_timeout_ms``, PostgreSQL stops any of its statements that runs longer
    (``QUERY_CANCELED``, see ``timed_out``). Waiting longer than ``pool_timeout_s`` for a free
    connection fails (``unavailable``)."""
    settings = dict(SERVER_SETTINGS)
    if statement_timeout_ms:
        settings["statement_timeout"] = str(statement_timeout_ms)
    return _create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=False,
        connect_args={"server_settings": settings},
    )


QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement stopped by ``statement_timeout`` (or a cancel)."""
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error`` and what it was raised from: through SQLAlchemy (the driver's error is
    ``orig``) or straight from asyncpg."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "orig", None) or error.__cause__


class Refusal(NamedTuple):
    """How PostgreSQL refused a statement."""

    sqlstate: str
    constraint: str
    """The constraint the refusal names ("" for none)."""
    message: str
    """Its primary message (no values: those are on its DETAIL line)."""


def raised_by_postgresql(error: BaseException | None) -> Refusal | None:
    """How PostgreSQL refused a statement, when ``error`` is (or was raised from) such a
    refusal; else None."""
    chain = list(_chain(error))
    state = next((str(s) for e in chain if (s := getattr(e, "sqlstate", None))), None)
    if state is None:
        return None
    constraint = next((str(n) for e in chain if (n := getattr(e, "constraint_name", None))), "")
    message = next((str(m) for e in chain if (m := getattr(e, "message", None))), state)
    return Refusal(state, constraint, message)


def collision(refusal: Refusal) -> tuple[ErrorCode, str] | None:
    """What a refusal caused by a concurrent request means to the caller: a key that request
    saved, a row it deleted, or PostgreSQL refusing this transaction to end a deadlock or a
    serialization conflict with it; None for any other refusal."""
    state = refusal.sqlstate
    if state == UNIQUE_VIOLATION:
        key = f"constraint {refusal.constraint}" if refusal.constraint else "a unique key"
        return ErrorCode.CONFLICT, (
            f"Another request saved a record with the same key ({key}) a moment ago; try again."
        )
    if state == FOREIGN_KEY_VIOLATION:
        return ErrorCode.NOT_FOUND, (
            "A record this refers to was deleted by another request a moment ago."
        )
    if state in (SERIALIZATION_FAILURE, DEADLOCK_DETECTED):
        return ErrorCode.CONFLICT, (
            "Another request changed the same records at the same moment; try again."
        )
    return None


UNAVAILABLE_STATES = frozenset({"53300", "57P01", "57P02", "57P03"})
"""Too many connections, and the server shutting down, crashed or starting: with the
connection exceptions (class 08, a connection lost mid-way among them), PostgreSQL answering
that it cannot serve now."""


def unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` is, or was raised from, the database being out of reach: no free
    connection in the pool in time, a server that refuses or drops the connection, or one
    that cannot serve now. Such a request may succeed when tried again."""
    if lost(error):
        return True
    for e in _chain(error):
        if isinstance(e, PoolTimeout | OSError):
            return True
    found = raised_by_postgresql(error)
    return found is not None and (
        found.sqlstate.startswith("08") or found.sqlstate in UNAVAILABLE_STATES
    )


def lost(error: BaseException | None) -> bool:
    """Whether ``error`` is, or was raised from, the server dropping the connection a
    statement ran on (a restart, a fail-over, an idle-connection killer)."""
    return any(
        isinstance(e, ConnectionLost) or getattr(e, "connection_invalidated", False)
        for e in _chain(error)
    )


def timed_out(error: BaseException | None) -> bool:
    """Whether ``error`` is, or was raised from, a statement PostgreSQL stopped."""
    found = raised_by_postgresql(error)
    return found is not None and found.sqlstate == QUERY_CANCELED


class ClientGone(Exception):
    """The request's client disconnected and its read-only session stopped (``abandon``)."""


class ConnectionLost(Exception):
    """The database server dropped the connection a statement ran on (``unavailable``)."""


class SerialSession(AsyncSession):
    """An AsyncSession whose operations run one at a time, each to its end.

    GraphQL resolves sibling fields concurrently and DataLoaders dispatch their batches as
    separate tasks, all on the request's one session; a session must not start a second
    operation while the first is, for example, still opening its connection or savepoint.

    An operation also runs to its end when its caller is cancelled meanwhile (graphql-core
    cancels a field's siblings when the field fails). Cut off mid-way, a statement would be
    cancelled by PostgreSQL, which aborts the transaction around it, while the connection is
    still busy with the cancellation; the cancellation reaches the caller once the operation
    is over. ``close`` waits for the operation in flight.
    """

    def __init__(self, *args: Any, reads: AsyncEngine | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serial = asyncio.Lock()
        self._reads = reads
        """The engine's connections without transactions (``session_factory``)."""
        self._reader: _Reader | None = None
        """Where a session that only reads (``read_only``) runs its statements."""
        self._abandoned = False
        self._running: asyncio.Future[Any] | None = None

    async def _alone(self, operation: Coroutine[Any, Any, T], *, closing: bool = False) -> T:
        try:
            if self._abandoned and not closing:
                raise ClientGone
            await self._serial.acquire()
        except BaseException:  # cancelled while waiting, or abandoned: it never starts
            operation.close()
            raise
        try:
            running = asyncio.ensure_future(operation)
            if not closing:  # a close always runs to its end
                self._running = running
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                await _finished(running)
                task = asyncio.current_task()
                if self._abandoned and running.cancelled() and task and not task.cancelling():
                    raise ClientGone from None  # stopped by ``abandon``, not by the caller
                raise
        finally:
            self._running = None
            self._serial.release()

    def abandon(self) -> None:
        """The request's client has gone: a session that only reads (``read_only``) stops the
        statement in flight, which asyncpg cancels on the server, and takes no more; its
        callers get ``ClientGone``. A session in a transaction (a mutation) carries on to its
        end, so that what it started is either saved whole or not at all, as it would be."""
        if not self._owns_reader():
            return
        self._abandoned = True
        if self._running is not None:
            self._running.cancel()

    async def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """``statement``, alone: on the reader where this session only reads, else through the
        session. ``scalar`` and ``scalars`` go through here."""
        if self._reader is not None:
            run = partial(self._read, statement, params, execution_options)
        else:
            options = execution_options or {}
            run = partial(super().execute, statement, params, execution_options=options, **kwargs)
        return await self._alone(self._once_more_if_lost(run, rerun=_reads(statement)))

    async def scalar(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        return (await self.execute(statement, *args, **kwargs)).scalar()

    async def _read(self, statement: Any, params: Any, options: Mapping[str, Any] | None) -> Any:
        """``statement`` on the reader's connection, where this session only reads: Core
        statements run on a connection as they run through the session, without the session's
        transaction and identity map around them (the session's own arguments, such as
        ``bind_arguments``, have no use there). The reader is looked up when the statement
        runs, so that a rerun takes the new one."""
        assert self._reader is not None
        return await self._reader.connection.execute(statement, params, execution_options=options)

    async def _once_more_if_lost(
        self, run: Callable[[], Coroutine[Any, Any, T]], *, rerun: bool
    ) -> T:
        """``run``, and once more on a new connection where the server dropped the one it ran
        on and running it again cannot change anything: a SELECT of a session that only reads
        (``read_only``), outside any transaction, where each statement sees its own snapshot
        anyway. So a restart or a fail-over that ends the pool's connections costs a request
        that only reads one reconnection, not an error. A statement in a transaction is never
        run again: what the transaction did before it is lost with the connection."""
        try:
            return await run()
        except Exception as error:
            if not (rerun and self._owns_reader() and lost(error)):
                raise
        await self._read_anew()
        return await run()

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._alone(super().flush(*args, **kwargs))

    async def commit(self) -> None:
        await self._alone(super().commit())

    async def rollback(self) -> None:
        await self._alone(super().rollback())

    async def close(self) -> None:
        # A connection whose statement was cut off mid-way (``abandon``) may be left between
        # two messages of the protocol: it is discarded, never handed to the next request.
        reader = self._reader
        if reader is not None and reader.owned:
            ending = (
                reader.connection.invalidate() if self._abandoned else reader.connection.close()
            )
            await self._alone(ending, closing=True)
        if self.in_transaction():  # its own: a mutation's, or the savepoint a test's reads in
            await self._alone(super().close(), closing=True)
            return
        async with self._serial:
            # Holding no connection, the session closes without I/O: no greenlet, no task.
            self.sync_session.close()

    async def driver_fetch(self, sql: str, arguments: Sequence[Any]) -> list[Any]:
        """The rows of ``sql`` straight from the driver (asyncpg records, read by position), on
        this session's connection and in its transaction: for statements kept compiled
        (``infra.statements``). Listeners of the engine's ``before_cursor_execute`` (statement
        logs, the tests' counts, the bench's floor) see the statement as they see any other."""
        run = partial(self._driver_fetch, sql, arguments)  # a kept statement only reads
        return await self._alone(self._once_more_if_lost(run, rerun=True))

    async def _driver_fetch(self, sql: str, arguments: Sequence[Any]) -> list[Any]:
        if self._reader is not None:
            connection, raw, _ = self._reader
        else:
            if self.autoflush and (self.new or self.dirty or self.deleted):
                await super().flush()
            connection = await self.connection()
            raw = await connection.get_raw_connection()
        sync = connection.sync_connection
        if sync is not None and sync.dispatch.before_cursor_execute:
            sync.dispatch.before_cursor_execute(sync, None, sql, arguments, None, False)
        driver: Any = raw.driver_connection
        try:
            return await driver.fetch(sql, *arguments)  # type: ignore[no-any-return]
        except Exception as error:
            if not driver.is_closed():
                raise
            # The server dropped the connection (a restart, a fail-over, an idle-connection
            # killer). Past SQLAlchemy, which would otherwise see to it as its own execute
            # does: this connection is never handed out again, and every connection made
            # before it is replaced at its next checkout, so that one request, not one per
            # pooled connection, meets the loss.
            if sync is not None:
                sync.engine.pool._invalidate(raw, error, _checkin=False)
            await connection.invalidate(error)
            raise ConnectionLost(str(error) or type(error).__name__) from error

    async def read_only(self) -> None:
        """Run this session's statements without a transaction (autocommit), for a request
        that only reads: no BEGIN and ROLLBACK round trips around it. Each statement then
        sees its own snapshot, as reads outside a transaction do.

        They run on a connection of their own (the reader), taken from the pool now, and
        past the ORM session, whose transaction, identity map and greenlet per call a read of
        Core statements does not need: 0.2 M instructions of a request that counts (of 2.7 M).

        Only where nothing has run yet on a session of the engine's; one that has begun
        stays in its transaction. A session bound to a connection its owner holds in a
        transaction (a test's) reads on that connection, in the transaction, past the ORM
        session as well; it never returns, discards or replaces that connection.
        """
        await self._alone(self._read_only())

    async def _read_only(self) -> None:
        if self._reader is not None:
            return
        if isinstance(self.bind, AsyncConnection):
            # Its owner (a test) holds the transaction: the reads run on that connection, in
            # the session's own part of it (a savepoint, where the session joins that way),
            # which the session ends as it ends its own statements'.
            await self.connection()
            self._reader = _Reader.of(self.bind, owned=False)
        elif self._reads is not None and not self.in_transaction():
            self._reader = await _Reader.opened(self._reads)

    def _owns_reader(self) -> bool:
        return self._reader is not None and self._reader.owned

    async def _read_anew(self) -> None:
        """A new reader in place of one whose connection the server dropped."""
        assert self._reader is not None
        assert self._reads is not None
        await self._reader.connection.close()  # lets go of the dead connection
        self._reader = await _Reader.opened(self._reads)


class _Reader(NamedTuple):
    """A read-only session's connection, the pool's connection under it (for statements kept
    compiled, ``SerialSession.driver_fetch``), and whether the session took it from the pool
    (and so returns it, discards it or takes another)."""

    connection: AsyncConnection
    raw: Any
    owned: bool

    @classmethod
    async def opened(cls, engine: AsyncEngine) -> _Reader:
        return cls.of(await engine.connect(), owned=True)

    @classmethod
    def of(cls, connection: AsyncConnection, *, owned: bool) -> _Reader:
        sync = connection.sync_connection
        assert sync is not None
        return cls(connection, sync.connection, owned)  # checked out: read without I/O


def _reads(statement: Any) -> bool:
    """Whether running ``statement`` again cannot change anything: a SELECT built with
    SQLAlchemy (a text statement or one that writes is never run twice)."""
    return bool(getattr(statement, "is_select", False))


async def _finished(running: asyncio.Future[Any]) -> None:
    """Wait for ``running`` to end, through any further cancellation of the waiter."""
    while not running.done():
        try:
            await asyncio.wait({running})
        except asyncio.CancelledError:
            continue
    if not running.cancelled():
        running.exception()  # its caller is cancelled; the outcome is read so it is not reported


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that stay closed once closed: work of a finished request that still tries a
    statement (a DataLoader batch whose field was cancelled, say) fails instead of opening a
    connection nobody would return."""
    return async_sessionmaker(
        engine,
        class_=SerialSession,
        expire_on_commit=False,
        autoflush=False,
        close_resets_only=False,
        reads=engine.execution_options(isolation_level="AUTOCOMMIT"),
    )


Transactions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
"""Opens a unit of work: a session whose work stands once the block ends. Loops over many
pieces of work take one, so that the job worker gives each piece a transaction of its own
(``committing``) and a caller holding one transaction runs them all in it (``within``)."""


def committing(sessions: Callable[[], AsyncSession]) -> Transactions:
    """Each unit of work a session of its own, committed when the block ends."""

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session
            await session.commit()

    return transaction


def within(session: AsyncSession) -> Transactions:
    """Every unit of work in ``session``'s transaction, which its owner ends."""

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        yield session

    return transaction
