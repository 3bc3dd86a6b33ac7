"""Helpers shared by the node types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from graph.context import Info

T = TypeVar("T")
D = TypeVar("D")


def node_ids(ids: Iterable[Any]) -> list[int]:
    """Integer ids of global ids; one that is not an integer matches nothing (-1)."""
    result = []
    for value in ids:
        text = str(value)
        result.append(int(text) if text.isdigit() and len(text) < 19 else -1)
    return result


async def resolve_many(
    info: Info,
    ids: Iterable[Any],
    load: Callable[[Info, list[int]], Awaitable[Sequence[D | None]]],
    convert: Callable[[D], T],
) -> list[T | None]:
    found = await load(info, node_ids(ids))
    return [convert(item) if item is not None else None for item in found]
