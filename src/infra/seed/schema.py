"""Secondary indexes and foreign keys set aside during a bulk load, and put back exactly.

The definitions are read from the catalog (``pg_indexes``, ``pg_constraint``) rather than from
``infra.tables``, so whatever later migrations added is restored too. Indexes are rebuilt in
parallel, foreign keys are re-added ``NOT VALID`` and then validated, which checks every row
as a plain ``ADD CONSTRAINT`` would while letting validations of different tables overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, c.oid::regclass::text AS table_name,
       pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
  AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype <> 'f')
ORDER BY 2, 1
"""

_CONSTRAINTS = """
SELECT k.conname AS name, k.conrelid::regclass::text AS table_name, k.contype::text AS kind,
       pg_get_constraintdef(k.oid) AS definition,
       CASE WHEN k.contype = 'u' THEN pg_get_indexdef(k.conindid) END AS index_definition
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
  AND k.contype IN ('f', 'u')
ORDER BY 2, 1
"""

Connect = Callable[[], Awaitable[asyncpg.Connection]]


Statement = tuple[str, str]
"""A table and a statement on it."""


@dataclass(frozen=True)
class SetAside:
    """What ``set_aside`` dropped, as the statements that recreate it."""

    indexes: tuple[Statement, ...]
    attach: tuple[str, ...]
    validate: tuple[Statement, ...]

    @property
    def steps(self) -> int:
        return len(self.indexes) + len(self.attach) + len(self.validate)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def set_aside(conn: asyncpg.Connection, tables: Sequence[str]) -> SetAside:
    """Drop the foreign keys, unique constraints and other indexes of ``tables``."""
    names = list(tables)
    indexes = await conn.fetch(_INDEXES, names)
    constraints = await conn.fetch(_CONSTRAINTS, names)
    create: list[Statement] = [(row["table_name"], row["definition"]) for row in indexes]
    attach: list[str] = []
    validate: list[Statement] = []
    drops: list[str] = []
    for row in constraints:
        table, name = row["table_name"], _quote(row["name"])
        drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        if row["kind"] == "u":
            create.append((table, row["index_definition"]))
            attach.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")
        else:
            attach.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} {row['definition']} NOT VALID"
            )
            validate.append((table, f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}"))
    drops += [f"DROP INDEX {row['name']}" for row in indexes]
    async with conn.transaction():
        for statement in drops:
            await conn.execute(statement)
    return SetAside(tuple(create), tuple(attach), tuple(validate))


async def _largest_first(conn: asyncpg.Connection, statements: Sequence[Statement]) -> list[str]:
    sizes = dict(
        await conn.fetch(
            "SELECT t, pg_relation_size(t::regclass) FROM unnest($1::text[]) AS t",
            sorted({table for table, _ in statements}),
        )
    )
    return [sql for table, sql in sorted(statements, key=lambda item: -sizes[item[0]])]


async def _in_parallel(
    connect: Connect, statements: Sequence[str], workers: int, done: Callable[[], None]
) -> None:
    queue = list(reversed(statements))

    async def work() -> None:
        conn = await connect()
        try:
            await conn.execute("SET maintenance_work_mem = '256MB'; SET work_mem = '256MB'")
            while queue:
                await conn.execute(queue.pop())
                done()
        finally:
            await conn.close()

    await asyncio.gather(*(work() for _ in range(min(workers, len(statements)))))


async def restore(
    conn: asyncpg.Connection,
    connect: Connect,
    saved: SetAside,
    *,
    workers: int,
    done: Callable[[], None],
) -> None:
    """Recreate what ``set_aside`` dropped: indexes in parallel, then keys, then validation."""
    await _in_parallel(connect, await _largest_first(conn, saved.indexes), workers, done)
    async with conn.transaction():
        for statement in saved.attach:
            await conn.execute(statement)
            done()
    await _in_parallel(connect, await _largest_first(conn, saved.validate), workers, done)


async def analyze(connect: Connect, tables: Sequence[str], *, workers: int) -> None:
    statements = [f"ANALYZE {_quote(table)}" for table in tables]
    await _in_parallel(connect, statements, workers, lambda: None)
