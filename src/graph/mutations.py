"""What every mutation shares: one unit of work, and the global ids of its input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from strawberry import relay

from domain.errors import DomainError, ErrorCode
from graph.context import Info
from graph.errors import UserError, user_error
from graph.types.common import typed_id
from infra.database import UNIQUE_VIOLATION, collision, raised_by_postgresql

T = TypeVar("T")
log = structlog.get_logger()

MAX_BULK_IDS = 1000

TAKEN: dict[str, tuple[str, str]] = {
    "uq_segment_shop_id_name": ("input.name", "A segment with this name exists"),
    "uq_tag_shop_id_page_id_name": ("input.name", "A tag with this name already exists here"),
    "uq_tag_folder_shop_id_page_id_name": (
        "input.name",
        "A folder with this name already exists here",
    ),
    "uq_sequence_shop_id_name": ("input.name", "A sequence with this name already exists"),
    "uq_custom_field_shop_id_key": ("input.key", "A custom field with this key exists"),
    "uq_automation_rule_shop_id_tag_id_sequence_id": (
        "input",
        "A rule for this tag and sequence already exists",
    ),
    "uq_page_shop_id_channel_external_id": ("input.externalId", "This page is connected already"),
}
"""What a mutation's unique keys mean to its caller: the field and the message. Each mutation
checks its key before it writes, with the value in the message; these answer when another
request took the key between that check and the write."""


def raced(error: BaseException) -> DomainError | None:
    """The user error for a write that collided with a concurrent request's (``collision``;
    a unique key a mutation names is ``DUPLICATE`` on its field, ``TAKEN``), or None when
    ``error`` is something else."""
    found = raised_by_postgresql(error)
    if found is None:
        return None
    if found.sqlstate == UNIQUE_VIOLATION and found.constraint in TAKEN:
        field, message = TAKEN[found.constraint]
        return DomainError(
            f"{message} (saved by another request a moment ago).",
            code=ErrorCode.DUPLICATE,
            field=field,
        )
    collided = collision(found)
    if collided is None:
        return None
    code, message = collided
    return DomainError(f"{message} Nothing was changed.", code=code)


async def perform(
    info: Info, action: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Commits what ``action`` did, or rolls it all back and reports the domain error. A write
    that collided with a concurrent request's is reported the same way (``raced``), and logged
    as a warning: a key the service itself broke would show there. Any other failure (a
    statement stopped at the time limit, say) is rolled back too before it is raised, which
    leaves the session usable (a failed statement aborts the transaction)."""
    session = info.context.session
    try:
        result = await action()
    except DomainError as error:
        await session.rollback()
        return None, [user_error(error)]
    except Exception as error:
        await session.rollback()
        collided = raced(error)
        if collided is None:
            raise
        log.warning("write collided", code=collided.code, reason=str(error).splitlines()[0])
        return None, [user_error(collided)]
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
