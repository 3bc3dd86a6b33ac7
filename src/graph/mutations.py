"""What every mutation shares: one unit of work, and the global ids of its input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry import relay

from domain.errors import DomainError, ErrorCode
from graph.context import Info
from graph.errors import UserError, user_error
from graph.types.common import typed_id

T = TypeVar("T")

MAX_BULK_IDS = 1000


async def perform(
    info: Info, action: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Commits what ``action`` did, or rolls it all back and reports the domain error. Any
    other failure (a statement stopped at the time limit, say) is rolled back too before it
    is raised, which leaves the session usable (a failed statement aborts the transaction)."""
    session = info.context.session
    try:
        result = await action()
    except DomainError as error:
        await session.rollback()
        return None, [user_error(error)]
    except Exception:
        await session.rollback()
        raise
    await session.commit()
    return result, []


def node_id(value: relay.GlobalID, type_name: str, *, field: str) -> int:
    found = typed_id(value, type_name)
    if found is None:
        raise DomainError(f"Expected the id of a {type_name}.", field=field)
    return found


def optional_node_id(value: relay.GlobalID | None, type_name: str, *, field: str) -> int | None:
    return None if value is None else node_id(value, type_name, field=field)


def node_ids(values: Sequence[relay.GlobalID], type_name: str, *, field: str) -> list[int]:
    if len(values) > MAX_BULK_IDS:
        raise DomainError(
            f"At most {MAX_BULK_IDS} ids at once; got {len(values)}.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field=field,
        )
    return [node_id(v, type_name, field=f"{field}.{i}") for i, v in enumerate(values)]
