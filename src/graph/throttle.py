"""How much each caller may ask of the service over time: a budget of cost points per staff
member (``graph.cost`` prices each operation), as a leaky bucket.

The bucket holds at most ``capacity`` points and refills at ``restore`` points a second. An
operation is charged its requested cost before it runs; one that costs more than the bucket
holds is refused, charged nothing, with how long to wait. Buckets live in the process: with
several server processes, each keeps its own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from infra.bounded import keep

MAX_CALLERS = 100_000
"""Buckets kept at most; past it they are all forgotten (full again), which costs a caller
nothing it had not been given already."""


@dataclass(frozen=True, slots=True)
class Spent:
    allowed: bool
    available: float
    """Points left after the charge, or before it when refused."""
    wait: float
    """Seconds until the operation would be allowed (0 when it was)."""


@dataclass
class Budget:
    capacity: int
    restore: float
    """Points a second."""
    clock: Callable[[], float] = time.monotonic
    _levels: dict[Hashable, tuple[float, float]] = field(default_factory=dict)

    def spend(self, caller: Hashable, points: int) -> Spent:
        now = self.clock()
        level, at = self._levels.get(caller, (float(self.capacity), now))
        level = min(float(self.capacity), level + (now - at) * self.restore)
        allowed = points <= level
        if allowed:
            level -= points
        keep(self._levels, caller, (level, now), MAX_CALLERS)
        wait = 0.0 if allowed else (points - level) / self.restore
        return Spent(allowed, level, wait)

    def status(self, spent: Spent) -> dict[str, int]:
        """What a response says of its caller's budget, as Shopify's API does."""
        return {
            "maximumAvailable": self.capacity,
            "currentlyAvailable": math.floor(spent.available),
            "restoreRate": math.floor(self.restore),
        }
