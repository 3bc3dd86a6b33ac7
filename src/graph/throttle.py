"""How much each caller may ask of the service over time: a budget of cost points per staff
member (``graph.cost`` prices each operation), as a leaky bucket.

The bucket holds at most ``capacity`` points and refills at ``restore`` points a second. An
operation is charged its requested cost before it runs; one that costs more than the bucket
holds is refused, charged nothing, with how long to wait. ``Budget`` keeps the buckets in the
process; ``infra.budgets.SharedBudget`` keeps them in Redis, for several server processes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from domain.budget import Budgets, Spent, leak
from infra.bounded import keep

MAX_CALLERS = 100_000
"""Buckets kept at most; past it they are all forgotten (full again), which costs a caller
nothing it had not been given already."""


def throttle_status(budget: Budgets, spent: Spent) -> dict[str, int]:
    """What a response says of its caller's budget, as Shopify's API does."""
    return {
        "maximumAvailable": budget.capacity,
        "currentlyAvailable": math.floor(spent.available),
        "restoreRate": math.floor(budget.restore),
    }


@dataclass
class Budget:
    """The buckets of this process."""

    capacity: int
    restore: float
    """Points a second."""
    clock: Callable[[], float] = time.monotonic
    _levels: dict[Hashable, tuple[float, float]] = field(default_factory=dict)

    async def spend(self, caller: tuple[int, int], points: int) -> Spent:
        return self.take(caller, points)

    def take(self, caller: Hashable, points: int) -> Spent:
        now = self.clock()
        level, at = self._levels.get(caller, (float(self.capacity), now))
        spent, level = leak(level, now - at, points, self.capacity, self.restore)
        keep(self._levels, caller, (level, now), MAX_CALLERS)
        return spent
