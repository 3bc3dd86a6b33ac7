"""Binary COPY of generated chunks, in this process or spread over worker processes.

Each worker generates whole chunks and copies them through its own connection, so generation
and COPY overlap across processes. Ids stay dense and reproducible: before copying chunk ``i`` a
worker waits until chunk ``i - 1`` has published where its ids end (shared memory), so the ids
do not depend on which worker finished first.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import struct
import traceback
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from multiprocessing.synchronize import Condition
from typing import Any

import asyncpg

from infra.database import asyncpg_dsn
from infra.seed.catalog import ID_TABLES, TABLES, Catalog, Rows, counts, shift
from infra.seed.generate import generate_chunk

Progress = Callable[[int, dict[str, int]], None]
"""Called with the customers and the rows of every chunk copied."""

LOAD_SETTINGS = {"synchronous_commit": "off", "jit": "off"}


_NUMERICS: dict[int, bytes] = {}


def _numeric(value: int) -> bytes:
    """An integer in PostgreSQL's binary numeric form, memoised: amounts repeat a lot."""
    encoded = _NUMERICS.get(value)
    if encoded is None:
        digits: list[int] = []
        rest = abs(value)
        while rest:
            rest, digit = divmod(rest, 10_000)
            digits.append(digit)
        weight = len(digits) - 1 if digits else 0
        digits.reverse()
        while digits and digits[-1] == 0:
            digits.pop()
        sign = 0x4000 if value < 0 else 0
        encoded = struct.pack(f">hhHh{len(digits)}h", len(digits), weight, sign, 0, *digits)
        if len(_NUMERICS) < 1_000_000:
            _NUMERICS[value] = encoded
    return encoded


def _numeric_back(data: bytes) -> int:
    count, weight, sign, _ = struct.unpack_from(">hhHh", data)
    value = 0
    for k, digit in enumerate(struct.unpack_from(f">{count}h", data, 8)):
        value += digit * 10_000 ** (weight - k)
    return -value if sign == 0x4000 else value


def _timestamp(value: int) -> tuple[int]:
    return (value,)


def _timestamp_back(value: tuple[int]) -> int:
    return value[0]


async def connect(url: str) -> asyncpg.Connection:
    """A connection for COPY of generated rows.

    Timestamps travel as integer microseconds since 2000-01-01 UTC and amounts as integers, in
    codecs that skip the datetime and Decimal objects asyncpg would otherwise go through.
    """
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, server_settings=LOAD_SETTINGS, **kwargs)
    await conn.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=_timestamp,
        decoder=_timestamp_back,
        format="tuple",
    )
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=_numeric, decoder=_numeric_back, format="binary"
    )
    return conn


async def copy_chunk(conn: asyncpg.Connection, rows: Rows) -> None:
    async with conn.transaction():
        for spec in TABLES:
            records = rows.get(spec.name)
            if records:
                await conn.copy_records_to_table(spec.name, records=records, columns=spec.columns)


async def load_here(url: str, cat: Catalog, starts: dict[str, int], progress: Progress) -> None:
    """Generate and copy every chunk in order, in this process."""
    conn = await connect(url)
    try:
        for index in range(cat.chunks):
            rows = generate_chunk(cat, index)
            sizes = counts(rows)
            shift(rows, starts)
            await copy_chunk(conn, rows)
            for table in ID_TABLES:
                starts[table] += sizes[table]
            progress(cat.chunk_customers(index), sizes)
    finally:
        await conn.close()


class _Shared:
    """Where each chunk's ids end, shared by the worker processes."""

    def __init__(self, ctx: Any, chunks: int) -> None:
        self.ends: SynchronizedArray[int] = ctx.Array("q", chunks * len(ID_TABLES), lock=False)
        self.ready: SynchronizedArray[int] = ctx.Array("b", chunks, lock=False)
        self.abort: Synchronized[int] = ctx.Value("b", 0, lock=False)
        self.changed: Condition = ctx.Condition()

    def starts(
        self, index: int, first: dict[str, int], sizes: dict[str, int]
    ) -> dict[str, int] | None:
        """Wait for chunk ``index - 1``, publish chunk ``index``; None when the load is aborted."""
        width = len(ID_TABLES)
        with self.changed:
            self.changed.wait_for(
                lambda: bool(self.abort.value or index == 0 or self.ready[index - 1])
            )
            if self.abort.value:
                return None
            if index == 0:
                starts = dict(first)
            else:
                starts = dict(
                    zip(ID_TABLES, self.ends[(index - 1) * width : index * width], strict=True)
                )
            for k, table in enumerate(ID_TABLES):
                self.ends[index * width + k] = starts[table] + sizes[table]
            self.ready[index] = 1
            self.changed.notify_all()
        return starts

    def stop(self) -> None:
        with self.changed:
            self.abort.value = 1
            self.changed.notify_all()


async def _work(url: str, cat: Catalog, first: dict[str, int], worker: int, workers: int,
                shared: _Shared, reports: Any) -> None:  # fmt: skip
    conn = await connect(url)
    try:
        for index in range(worker, cat.chunks, workers):
            rows = generate_chunk(cat, index)
            sizes = counts(rows)
            starts = shared.starts(index, first, sizes)
            if starts is None:
                return
            shift(rows, starts)
            await copy_chunk(conn, rows)
            reports.put(("chunk", cat.chunk_customers(index), sizes))
    finally:
        await conn.close()


def _worker_main(url: str, cat: Catalog, first: dict[str, int], worker: int, workers: int,
                 shared: _Shared, reports: Any) -> None:  # fmt: skip
    try:
        asyncio.run(_work(url, cat, first, worker, workers, shared, reports))
    except BaseException:
        shared.stop()
        reports.put(("error", 0, traceback.format_exc()))
        raise
    reports.put(("done", 0, {}))


class LoadError(RuntimeError):
    """A worker process failed; the message carries its traceback."""


async def load_in_workers(
    url: str, cat: Catalog, starts: dict[str, int], progress: Progress, *, workers: int
) -> None:
    """Generate and copy the chunks in ``workers`` processes; advance ``starts`` past them."""
    ctx = mp.get_context("spawn")
    shared = _Shared(ctx, cat.chunks)
    reports = ctx.Queue()
    processes = [
        ctx.Process(
            target=_worker_main,
            args=(url, cat, dict(starts), worker, workers, shared, reports),
            name=f"seed-worker-{worker}",
            daemon=True,
        )
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    running = len(processes)
    error: str | None = None
    try:
        while running:
            try:
                kind, customers, payload = await asyncio.to_thread(reports.get, True, 1.0)
            except queue.Empty:
                # A worker killed outright (out of memory, a signal) reports nothing, and the
                # others would wait for its chunks forever.
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead or not any(p.is_alive() for p in processes):
                    error = f"seed worker exited without reporting: {dead or processes}"
                    break
                continue
            if kind == "chunk":
                progress(customers, payload)
            elif kind == "error":
                error = payload
                shared.stop()
                running -= 1
            else:
                running -= 1
    finally:
        if error is not None or running:
            shared.stop()
        for process in processes:
            await asyncio.to_thread(process.join, 30)
            if process.is_alive():
                process.terminate()
    if error is not None:
        raise LoadError(error)
    width = len(ID_TABLES)
    last = cat.chunks - 1
    for k, table in enumerate(ID_TABLES):
        starts[table] = shared.ends[last * width + k]
