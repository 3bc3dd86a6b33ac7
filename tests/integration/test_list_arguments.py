"""A list of values is bound as one text argument that PostgreSQL splits into an array
(``values.list_argument``): PostgreSQL must read back exactly the values given, whatever
characters they hold, and plan with them as a constant."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from infra.filter_sql.values import SEPARATOR, list_argument, one_of

TRICKY = ['"', "\\", ",", "{", "}", " ", "\t", "\n", "'", "NULL", "null", "", "đ", "Ư", "😀"]


def _lists() -> list[list[str]]:
    """Each tricky value beside a plain one, values holding the separator, then random
    mixes of them."""
    lists = [[v, "plain"] for v in TRICKY] + [TRICKY, ['a\\"b', "\\\\", '""', "{a,b}", " x "]]
    lists += [[f"a{SEPARATOR}b", "c"], [SEPARATOR, ""], ["", "", "x"]]
    draw = random.Random(3)
    alphabet = [*TRICKY, "a", "B", "0", "Đà Nẵng", SEPARATOR]
    for _ in range(200):
        size = draw.randint(2, 6)
        lists.append(["".join(draw.choices(alphabet, k=draw.randint(0, 5))) for _ in range(size)])
    return lists


async def test_postgresql_reads_back_every_value_given(session: AsyncSession) -> None:
    for values in _lists():
        assert await session.scalar(select(list_argument(values))) == values, values


async def test_the_list_is_planned_as_a_constant(session: AsyncSession) -> None:
    """Split by an immutable function, the array is folded into the plan, as the array
    itself was: no expression is left to evaluate again on each row a scan filters."""
    connection = await session.connection()
    email = t.customer.c.email
    compiled = (
        select(t.customer.c.id)
        .where(one_of(email, ["a@x.vn", "b@x.vn"]))
        .compile(dialect=connection.dialect)
    )
    arguments = tuple(compiled.params[name] for name in compiled.positiontup or ())
    rows = await connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {compiled}", arguments)
    plan = "\n".join(row[0] for row in rows)
    assert "ANY ('{a@x.vn,b@x.vn}'::text[])" in plan, plan
    assert "string_to_array" not in plan, plan
