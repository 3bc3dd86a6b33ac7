"""The points ledger: earning, spending and expiry as entries, and the rules between them.

A member's ``points_balance`` is the sum of all entries (pending ones included) and
``points_used`` the sum of what was spent; what is pending is derived from earn entries whose
``available_at`` is still in the future. Spending or expiring more than is available at the
time of the request is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError, ErrorCode
from domain.ingest import aware, external_id, optional_text

MAX_POINTS = 100_000_000
MAX_BALANCE = 2_000_000_000
"""A member's balance and points used stay below this: their columns are 32-bit integers, and
a batch of 25 entries of ``MAX_POINTS`` overflowed one (an internal error for the batch)."""


class PointKind(StrEnum):
    EARN = "earn"
    SPEND = "spend"
    EXPIRE = "expire"
    ADJUST = "adjust"


@dataclass(frozen=True, slots=True)
class PointItem:
    """One ledger entry as a partner sends it: ``points`` is positive except for ADJUST."""

    external_id: str
    member_external_id: str
    kind: PointKind
    points: int
    occurred_at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PointEntry:
    """The entry as stored: ``points`` is signed (spend and expire are negative)."""

    external_id: str
    kind: PointKind
    points: int
    occurred_at: datetime
    available_at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class LedgerState:
    """What the ledger of one member says: balance, used, and pending earn entries."""

    balance: int
    used: int
    pending: tuple[tuple[datetime, int], ...] = field(default_factory=tuple)

    def pending_at(self, now: datetime) -> int:
        return sum(points for available_at, points in self.pending if available_at > now)

    def available_at(self, now: datetime) -> int:
        return self.balance - self.pending_at(now)


def validate_point_item(item: PointItem) -> PointItem:
    aware(item.occurred_at, "occurredAt")
    if item.kind is PointKind.ADJUST:
        if item.points == 0:
            raise DomainError("An adjustment must change the balance.", field="points")
    elif item.points <= 0:
        raise DomainError("Points must be positive; the kind says the direction.", field="points")
    if abs(item.points) > MAX_POINTS:
        raise DomainError(f"At most {MAX_POINTS} points per entry.", field="points")
    return replace(
        item,
        external_id=external_id(item.external_id),
        member_external_id=external_id(item.member_external_id, "memberExternalId"),
        note=optional_text(item.note, "note"),
    )


def record(
    state: LedgerState, item: PointItem, *, now: datetime, delay: timedelta
) -> tuple[LedgerState, PointEntry]:
    """The ledger after ``item``, and the entry to store; raises when points are lacking."""
    if item.kind is PointKind.EARN:
        try:
            available = item.occurred_at + delay
        except OverflowError:
            raise DomainError(
                "The points would become available after the calendar's end.",
                field="occurredAt",
            ) from None
        entry = _entry(item, item.points, available)
        pending = (*state.pending, (available, item.points))
        return _within(LedgerState(state.balance + item.points, state.used, pending)), entry
    signed = item.points if item.kind is PointKind.ADJUST else -item.points
    if signed < 0 and -signed > state.available_at(now):
        raise DomainError(
            f"The member has {state.available_at(now)} points available "
            f"({state.pending_at(now)} pending); cannot take {-signed}.",
            code=ErrorCode.INSUFFICIENT_POINTS,
            field="points",
        )
    used = state.used + (item.points if item.kind is PointKind.SPEND else 0)
    entry = _entry(item, signed, item.occurred_at)
    return _within(LedgerState(state.balance + signed, used, state.pending)), entry


def _within(state: LedgerState) -> LedgerState:
    """``state`` if its balance and points used stay within ``MAX_BALANCE``."""
    if max(abs(state.balance), state.used) > MAX_BALANCE:
        raise DomainError(
            f"The member's balance or points used would pass {MAX_BALANCE:,} points.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field="points",
        )
    return state


def _entry(item: PointItem, points: int, available_at: datetime) -> PointEntry:
    return PointEntry(
        external_id=item.external_id,
        kind=item.kind,
        points=points,
        occurred_at=item.occurred_at,
        available_at=available_at,
        note=item.note,
    )
