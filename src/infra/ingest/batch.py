"""Writing the valid items of a batch: one statement, or item by item when that fails.

Items are validated before any write, so the set-based statement normally succeeds. When it
does not because of an item (a unique key raced by another request, a reference deleted
meanwhile, a value the checks missed), the batch is written again one item per SAVEPOINT, so
valid items are still saved and each failing item gets its own error. A failure that is no
item's (a statement stopped at the time limit, a deadlock, a lost connection) fails the
batch: written item by item it would only fail again, as many times as there are items.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ErrorCode
from domain.ingest import ItemError
from infra.database import collision, raised_by_postgresql

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
    except DBAPIError as error:
        if _items_fault(error) is None:
            raise
    written: list[Out] = []
    errors: list[ItemError] = []
    for index, record in items:
        try:
            async with session.begin_nested():
                written += await write([(index, record)])
        except DBAPIError as error:
            fault = _items_fault(error)
            if fault is None:
                raise
            code, message = fault
            errors.append(
                ItemError(index=index, field=f"items.{index}", code=code, message=message)
            )
    return written, errors


def _items_fault(error: DBAPIError) -> tuple[ErrorCode, str] | None:
    """The item error for a write PostgreSQL refused because of the item's data (its SQLSTATE
    class 22, 23 or 54), or None for a failure that is not the item's."""
    found = raised_by_postgresql(error)
    if found is None or not found.sqlstate.startswith(("22", "23", "54")):
        return None
    return collision(found) or (
        ErrorCode.INVALID,
        f"The item could not be stored: {found.message}.",
    )
