"""Periods of time a condition refers to, resolved when a query runs.

A relative period ("last 30 days") is stored as such and turned into dates only at query time,
in the shop's time zone, so a saved segment always means "the last 30 days from now".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import DomainError


class PeriodUnit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True, slots=True)
class Between:
    """Calendar days from ``start`` to ``end``, both included; either side may be open."""

    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class Last:
    """The ``amount`` units ending today, today included (last 1 day = today)."""

    amount: int
    unit: PeriodUnit


@dataclass(frozen=True, slots=True)
class Next:
    """The ``amount`` units starting today, today included (next 1 day = today)."""

    amount: int
    unit: PeriodUnit


@dataclass(frozen=True, slots=True)
class ThisMonth:
    """The calendar month of today."""


Period = Between | Last | Next | ThisMonth


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _span(amount: int, unit: PeriodUnit, today: date, forward: bool) -> tuple[date, date]:
    sign = 1 if forward else -1
    if unit is PeriodUnit.MONTHS:
        other = add_months(today, sign * amount)
    else:
        other = today + timedelta(days=sign * amount * (7 if unit is PeriodUnit.WEEKS else 1))
    if forward:
        return today, other
    return other + timedelta(days=1), today + timedelta(days=1)


def day_bounds(period: Period, today: date) -> tuple[date | None, date | None]:
    """The period as local days ``[start, end)``; None is an open side."""
    match period:
        case Between(start=start, end=end):
            # The calendar's last day has no day after it: nothing ends later, the side is open.
            return start, (end + timedelta(days=1)) if end not in (None, date.max) else None
        case Last(amount=amount, unit=unit):
            return _span(amount, unit, today, forward=False)
        case Next(amount=amount, unit=unit):
            return _span(amount, unit, today, forward=True)
        case ThisMonth():
            first = today.replace(day=1)
            return first, add_months(first, 1)
    raise TypeError(f"unknown period {period!r}")


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def in_utc(value: datetime, field: str) -> datetime:
    """``value`` as an instant in UTC (a time without an offset is taken as UTC), refused when
    it falls outside the calendar there (year 1 at +07:00 is the last hours of year 0)."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise DomainError(
            f"{value.isoformat()} is outside the calendar in UTC; give a time from"
            " 0001-01-01 to 9999-12-31 (UTC).",
            field=field,
        ) from None


def instant_bounds(
    period: Period, now: datetime, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """The period as instants ``[start, end)``: local midnights of the shop's time zone."""
    zone = ZoneInfo(timezone)
    start, end = day_bounds(period, local_today(now, timezone))

    def midnight(day: date | None) -> datetime | None:
        if day is None:
            return None
        try:
            return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        except OverflowError:  # before the calendar's first instant in UTC: open
            return None

    return midnight(start), midnight(end)
