"""Helpers shared by the node types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry import relay

from graph.context import Info
from graph.errors import bad_input

T = TypeVar("T")
D = TypeVar("D")


def local_id(text: str) -> int | None:
    """The row id a global id's node part names, or None when it cannot be one (not digits, or
    past bigint)."""
    return int(text) if text.isdigit() and len(text) < 19 else None


def typed_id(value: relay.GlobalID, type_name: str) -> int | None:
    """The row id of ``value`` when it is a global id of ``type_name``, else None."""
    return local_id(value.node_id) if value.type_name == type_name else None


def query_id(value: relay.GlobalID, type_name: str, *, field: str) -> int:
    """A query argument's row id; anything else is a BAD_USER_INPUT naming ``field``."""
    found = typed_id(value, type_name)
    if found is None:
        raise bad_input(f"Expected the id of a {type_name}.", field=field)
    return found


def node_ids(ids: Iterable[Any]) -> list[int]:
    """Integer ids of global ids; one that is not an integer matches nothing (-1)."""
    return [found if (found := local_id(str(value))) is not None else -1 for value in ids]


async def resolve_many(
    info: Info,
    ids: Iterable[Any],
    load: Callable[[Info, list[int]], Awaitable[Sequence[D | None]]],
    convert: Callable[[D], T],
) -> list[T | None]:
    found = await load(info, node_ids(ids))
    return [convert(item) if item is not None else None for item in found]
