"""Per-process caches of values that are cheap to rebuild, bounded by being forgotten all at
once when full: a reset now and then costs less than bookkeeping on every use."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(entries: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key``, emptying ``entries`` first when it holds ``limit``."""
    if len(entries) >= limit:
        entries.clear()
    entries[key] = value
    return value


class ByIdentity(Generic[V]):
    """Values kept for objects by the objects' identities, up to ``limit`` entries (forgotten
    all at once, as ``keep``): for what is read off objects that are handed out again as they
    are (the parser's cache hands every request of a text one document). Each entry holds its
    objects, so no other object takes one of their ids while it is kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[tuple[Hashable, ...], tuple[tuple[object, ...], V]] = {}

    def get(self, objects: tuple[object, ...], *extra: Hashable) -> V | None:
        """What was kept for these very ``objects`` and ``extra`` values; None if nothing."""
        found = self._entries.get((*map(id, objects), *extra))
        return None if found is None else found[1]

    def put(self, objects: tuple[object, ...], value: V, *extra: Hashable) -> V:
        keep(self._entries, (*map(id, objects), *extra), (objects, value), self.limit)
        return value
