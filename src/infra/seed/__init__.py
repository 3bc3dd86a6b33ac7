"""The demo shop: a realistic, reproducible Vietnamese shop generated straight into PostgreSQL.

``seed_shop`` is idempotent: a shop that already has customers is left alone, so ``make run``
can call it at every start. Large seeds set the secondary indexes and foreign keys of the bulk
tables aside, copy the chunks from several processes, then rebuild and validate everything.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
from tqdm import tqdm

from infra.seed import schema
from infra.seed.catalog import ID_TABLES, TABLES, micros
from infra.seed.load import connect, load_here, load_in_workers
from infra.seed.reference import create_reference, ensure_shop

BULK_CUSTOMERS = 50_000
"""From this size on, indexes and keys are rebuilt after the load instead of maintained."""

DEFAULT_PAGES = 6
DEFAULT_THREADS_PER_CUSTOMER = 1.0
_LOCK = 0x5EED
_BULK_TABLES = tuple(spec.name for spec in TABLES)
_REFERENCE_TABLES = (
    "shop", "staff", "store", "product", "loyalty_tier", "page", "tag_folder", "tag",
    "custom_field", "sequence", "sequence_step", "automation_rule",
)  # fmt: skip


@dataclass(frozen=True)
class SeedReport:
    """What a call of ``seed_shop`` did: rows written per table and how long it took."""

    shop_id: int
    seeded: bool
    """False when the shop already had customers and nothing was written."""
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return self.rows.get(table, 0)

    def summary(self) -> str:
        if not self.seeded:
            return f"shop {self.shop_id} already has customers; nothing seeded"
        tables = ", ".join(f"{table} {count:,}" for table, count in self.rows.items() if count)
        return f"shop {self.shop_id} seeded in {self.seconds:.1f}s: {tables}"

    def __str__(self) -> str:
        return self.summary()


def _workers() -> int:
    return (os.cpu_count() or 2) + 1


async def _first_ids(conn: asyncpg.Connection) -> dict[str, int]:
    """The first free id of each table: past every row (the identity is table-wide) and past
    what its sequence has handed out."""
    starts = {}
    for table in ID_TABLES:
        quoted = f'"{table}"'
        starts[table] = await conn.fetchval(
            f"SELECT greatest((SELECT max(id) FROM {quoted}),"
            f" pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass), 0) + 1",
            quoted,
        )
    return starts


async def _discard(conn: asyncpg.Connection, shop_id: int) -> None:
    """Remove what an interrupted load wrote, so the next start seeds the shop again."""
    for spec in reversed(TABLES):
        await conn.execute(f'DELETE FROM "{spec.name}" WHERE shop_id = $1', shop_id)


async def seed_shop(
    url: str,
    *,
    customers: int,
    seed: int,
    shop_id: int = 1,
    shop_name: str = "Cửa hàng Demo",
    progress: bool = True,
    pages: int | None = None,
    threads_per_customer: float | None = None,
) -> SeedReport:
    """Fill shop ``shop_id`` with ``customers`` customers and everything around them.

    ``seed`` decides everything but the clock: the same seed gives the same people, orders and
    conversations, dated relative to now. ``pages`` (default 6) is the number of connected
    social pages and ``threads_per_customer`` (default 1.0) the number of conversation threads
    generated per customer, at least.
    """
    return await _seed_shop(
        url,
        customers=customers,
        seed=seed,
        shop_id=shop_id,
        shop_name=shop_name,
        progress=progress,
        pages=DEFAULT_PAGES if pages is None else pages,
        threads_per_customer=(
            DEFAULT_THREADS_PER_CUSTOMER if threads_per_customer is None else threads_per_customer
        ),
        bulk=customers >= BULK_CUSTOMERS,
        workers=_workers(),
    )


async def _seed_shop(
    url: str,
    *,
    customers: int,
    seed: int,
    shop_id: int,
    shop_name: str,
    progress: bool,
    pages: int,
    threads_per_customer: float,
    bulk: bool,
    workers: int,
) -> SeedReport:
    started = time.perf_counter()
    conn = await connect(url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1, $2)", _LOCK, shop_id)
        delay = await ensure_shop(conn, shop_id, shop_name)
        has_customers = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM customer WHERE shop_id = $1)", shop_id
        )
        if has_customers:
            return SeedReport(shop_id, False, time.perf_counter() - started)
        cat = await create_reference(
            conn,
            shop_id=shop_id,
            seed=seed,
            now=micros(datetime.now(UTC).replace(microsecond=0)),
            points_delay_hours=delay,
            customers=customers,
            pages=pages,
            threads_per_customer=threads_per_customer,
        )
        starts = await _first_ids(conn)
        totals: Counter[str] = Counter()
        saved = await schema.set_aside(conn, _BULK_TABLES) if bulk else None
        try:
            with tqdm(
                total=customers, desc="demo shop", unit=" customers", disable=not progress
            ) as bar:

                def advance(chunk_customers: int, sizes: dict[str, int]) -> None:
                    totals.update(sizes)
                    bar.update(chunk_customers)

                if bulk and cat.chunks:
                    await load_in_workers(url, cat, starts, advance, workers=workers)
                else:
                    await load_here(url, cat, starts, advance)
        except BaseException:
            await _discard(conn, shop_id)
            raise
        finally:
            if saved is not None:
                with tqdm(total=saved.steps, desc="indexes and keys", disable=not progress) as bar:
                    await schema.restore(
                        conn, lambda: connect(url), saved, workers=2, done=lambda: bar.update()
                    )
        for table, start in (await _first_ids(conn)).items():
            await conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN id RESTART WITH {start}')
        await schema.analyze(lambda: connect(url), (*_BULK_TABLES, *_REFERENCE_TABLES), workers=2)
        rows = {spec.name: totals[spec.name] for spec in TABLES}
        return SeedReport(shop_id, True, time.perf_counter() - started, rows)
    finally:
        await conn.close()
