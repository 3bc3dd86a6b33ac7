"""Loyalty members and the points ledger their balances derive from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Points:
    """Points of a member as the ledger says at one instant.

    ``pending`` are earned but not yet valid (e.g. usable 24 hours after they were earned);
    ``available`` are spendable now; ``used`` were spent.
    """

    available: int
    used: int
    pending: int


@dataclass(frozen=True, slots=True)
class Member:
    shop_id: int
    id: int
    external_id: str | None
    customer_id: int
    member_code: str
    tier: str | None
    member_since: datetime
    points_balance: int
    points_used: int

    def points(self, pending: int) -> Points:
        return Points(
            available=self.points_balance - pending, used=self.points_used, pending=pending
        )
