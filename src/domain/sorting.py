"""Orders of the customer, member and subscriber lists, and the keyset position in one.

Every order ends with the row id in the same direction, so rows with equal sort values keep a
stable order and a cursor (sort value, id) points between two rows exactly. Rows without a
value (no last order, no name) come last in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.errors import DomainError
from domain.filters import Profile
from domain.numbers import held
from domain.period import in_utc


class SortBy(StrEnum):
    CREATED = "created"
    NAME = "name"
    TOTAL_SPENT = "total_spent"
    ORDERS_COUNT = "orders_count"
    LAST_ORDER = "last_order"
    MEMBER_SINCE = "member_since"
    POINTS = "points"
    SIGNUP_DATE = "signup_date"
    LAST_INTERACTION = "last_interaction"


class ValueType(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    INSTANT = "instant"
    TEXT = "text"


SORTS: dict[Profile, dict[SortBy, ValueType]] = {
    Profile.CUSTOMER: {
        SortBy.CREATED: ValueType.INTEGER,
        SortBy.NAME: ValueType.TEXT,
        SortBy.TOTAL_SPENT: ValueType.NUMBER,
        SortBy.ORDERS_COUNT: ValueType.INTEGER,
        SortBy.LAST_ORDER: ValueType.INSTANT,
    },
    Profile.MEMBER: {
        SortBy.CREATED: ValueType.INTEGER,
        SortBy.NAME: ValueType.TEXT,
        SortBy.TOTAL_SPENT: ValueType.NUMBER,
        SortBy.ORDERS_COUNT: ValueType.INTEGER,
        SortBy.LAST_ORDER: ValueType.INSTANT,
        SortBy.MEMBER_SINCE: ValueType.INSTANT,
        SortBy.POINTS: ValueType.INTEGER,
    },
    Profile.SUBSCRIBER: {
        SortBy.CREATED: ValueType.INTEGER,
        SortBy.NAME: ValueType.TEXT,
        SortBy.SIGNUP_DATE: ValueType.INSTANT,
        SortBy.LAST_INTERACTION: ValueType.INSTANT,
    },
}
"""The orders each list offers (members also sort by their customer's figures)."""


@dataclass(frozen=True, slots=True)
class Sort:
    by: SortBy = SortBy.CREATED
    descending: bool = True

    @property
    def is_default(self) -> bool:
        return self.by is SortBy.CREATED and self.descending


def check_sort(profile: Profile, sort: Sort, *, field: str) -> None:
    offered = SORTS[profile]
    if sort.by not in offered:
        names = ", ".join(s.name for s in offered)
        raise DomainError(
            f"This list cannot be sorted by {sort.by.name}; use one of {names}.", field=field
        )


@dataclass(frozen=True, slots=True)
class Position:
    """The last row of a page: its sort value (None when it has none) and its id."""

    sort: Sort
    value: Any
    id: int


def value_to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


MAX_INTEGER = 2**31 - 1
"""The integer sort keys (orders, points) are 32-bit columns."""
MAX_CURSOR_TEXT = 10_000
"""Longer than any stored name a cursor can carry."""


def value_from_json(kind: ValueType, raw: Any) -> Any:
    """The sort value of a cursor; raises ValueError when it is not one a stored row could
    have given: the cursor is the client's to keep, and a value PostgreSQL cannot compare with
    the column (an integer past it, a time outside the calendar, text with NUL) fails the
    statement rather than the cursor."""
    if raw is None:
        return None
    match kind:
        case ValueType.INTEGER:
            if not isinstance(raw, int) or isinstance(raw, bool) or abs(raw) > MAX_INTEGER:
                raise ValueError("not an integer of the column")
            return raw
        case ValueType.NUMBER:
            if not isinstance(raw, str | int) or isinstance(raw, bool):
                raise ValueError("not a number")
            try:
                return held(Decimal(str(raw)), "after")
            except (ArithmeticError, DomainError):
                raise ValueError("not a number the column holds") from None
        case ValueType.INSTANT:
            found = datetime.fromisoformat(str(raw))
            if found.tzinfo is None:
                raise ValueError("no time zone")
            try:
                return in_utc(found, "after")
            except DomainError:
                raise ValueError("outside the calendar") from None
        case ValueType.TEXT:
            if not isinstance(raw, str) or "\x00" in raw or len(raw) > MAX_CURSOR_TEXT:
                raise ValueError("not a text")
            return raw
    raise ValueError(kind)
