"""Per-process caches of values that are cheap to rebuild, bounded by being forgotten all at
once when full: a reset now and then costs less than bookkeeping on every use."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(entries: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key``, emptying ``entries`` first when it holds ``limit``."""
    if len(entries) >= limit:
        entries.clear()
    entries[key] = value
    return value
