"""A leaky bucket of cost points: what a caller may still spend, refilled over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Spent:
    allowed: bool
    available: float
    """Points left after the charge, or before it when refused."""
    wait: float
    """Seconds until the operation would be allowed (0 when it was)."""

    @classmethod
    def of(cls, allowed: bool, level: float, points: int, restore: float) -> Spent:
        """What a caller charged ``points`` is told, the bucket holding ``level`` after the
        charge (or before it, refused) and refilling at ``restore`` points a second."""
        return cls(allowed, level, 0.0 if allowed else (points - level) / restore)


def leak(
    level: float, elapsed: float, points: int, capacity: int, restore: float
) -> tuple[Spent, float]:
    """A bucket that held ``level`` points ``elapsed`` seconds ago, charged ``points`` now:
    what the caller is told, and the level it keeps. A negative charge gives points back
    (what an operation did not use), never past ``capacity``."""
    level = min(float(capacity), level + max(0.0, elapsed) * restore)
    allowed = points <= level
    if allowed:
        level = min(float(capacity), level - points)
    return Spent.of(allowed, level, points, restore), level


class Budgets(Protocol):
    """Buckets of cost points by caller, wherever they are kept."""

    capacity: int
    restore: float

    async def spend(self, caller: tuple[int, int], points: int) -> Spent: ...
