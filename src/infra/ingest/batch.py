"""Writing the valid items of a batch: one statement, or item by item when that fails.

Items are validated before any write, so the set-based statement normally succeeds. When it
does not (a unique key raced by another request, a constraint the checks missed), the batch
is written again one item per SAVEPOINT, so valid items are still saved and each failing item
gets its own error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ErrorCode
from domain.ingest import ItemError

R = TypeVar("R")
Out = TypeVar("Out")


async def write_isolating(
    session: AsyncSession,
    items: Sequence[tuple[int, R]],
    write: Callable[[Sequence[tuple[int, R]]], Awaitable[list[Out]]],
) -> tuple[list[Out], list[ItemError]]:
    if not items:
        return [], []
    try:
        async with session.begin_nested():
            return await write(items), []
    except (IntegrityError, DBAPIError):
        pass
    written: list[Out] = []
    errors: list[ItemError] = []
    for index, record in items:
        try:
            async with session.begin_nested():
                written += await write([(index, record)])
        except (IntegrityError, DBAPIError) as error:
            errors.append(
                ItemError(
                    index=index,
                    field=f"items.{index}",
                    code=ErrorCode.CONFLICT,
                    message=f"The item conflicts with stored data: {_constraint(error)}.",
                )
            )
    return written, errors


def _constraint(error: DBAPIError) -> str:
    name = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    return f"constraint {name}" if name else "a unique key or reference is violated"
