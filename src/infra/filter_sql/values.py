"""Leaf comparisons: folded text, phones, numbers and ranges, periods, birthdays, points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
    SmallInteger,
    and_,
    any_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text as SqlText

from domain.filters import Match, Present, Range, Text, TextOp, Within
from domain.period import Period, day_bounds, instant_bounds, local_today
from domain.phone import normalize_phone, normalize_phone_prefix
from domain.text import fold
from infra import tables as t
from infra.filter_sql.scope import Scope, instant_of


def points_match(match: Match, scope: Scope) -> ColumnElement[bool]:
    """Points spendable now: the balance minus earned entries not yet available (L4).

    Few members have entries still pending, and `points_pending_until` (the latest time one of
    a member's earned entries becomes available) tells which: the ledger is summed only for
    them, everyone else can spend their balance. A range is tested as one containment so that
    this expression is evaluated once per member, not per bound. The instant is the parameter
    ``INSTANT``, so the clause can be kept and run at each request's own instant.
    """
    entry, member, now = t.point_entry, scope.table, instant_of(scope)
    pending_sum = (
        select(func.sum(entry.c.points))
        .where(
            entry.c.shop_id == scope.shop_id,
            entry.c.member_id == member.c.id,
            entry.c.kind == "earn",
            entry.c.available_at > now,
        )
        .scalar_subquery()
    )
    available = case(
        (
            member.c.points_pending_until > now,
            member.c.points_balance - func.coalesce(pending_sum, 0),
        ),
        else_=member.c.points_balance,
    )
    if not isinstance(match, Range):
        return value_match(available, match, scope)
    lo, hi = match.minimum, match.maximum
    if lo is not None and hi is not None and lo > hi:
        return false()  # numrange() refuses inverted bounds; no number is in between
    bounds = ("(" if match.min_exclusive else "[") + (")" if match.max_exclusive else "]")
    limits = func.numrange(literal(lo, Numeric), literal(hi, Numeric), bounds)
    return cast(available, Numeric).op("<@")(limits)


def text_match(
    folded: ColumnElement[str], text: Text, *, scanned: bool = False
) -> ColumnElement[bool]:
    """``folded`` against the folded ``text``; ``scanned``: see ``Scope.scanned``."""
    value = fold(text.value)
    match text.op:
        case TextOp.EQUALS:
            return folded == value
        case TextOp.CONTAINS if scanned:
            return func.strpos(folded, value) > 0
        case TextOp.CONTAINS:
            return folded.contains(value, autoescape=True)
        case TextOp.STARTS_WITH:
            return folded.startswith(value, autoescape=True)
    raise TypeError(f"unknown text operator {text.op!r}")


def phone_match(column: ColumnElement[str], op: TextOp, value: str) -> ColumnElement[bool]:
    match op:
        case TextOp.EQUALS:  # no digits is no number (the input refuses it); never `IS NULL`
            return phone_in(column, (value,))
        case TextOp.STARTS_WITH:
            return column.startswith(normalize_phone_prefix(value), autoescape=True)
        case TextOp.CONTAINS:
            digits = "".join(c for c in value if c.isdigit())
            typed = column.contains(digits, autoescape=True)
            # A fragment opening with 84 or a retired 11-digit prefix may be the start of a
            # number: it also finds the numbers that start with its normal form.
            start = normalize_phone_prefix(value)
            if start == digits:
                return typed
            return or_(typed, column.startswith(start, autoescape=True))
    raise TypeError(f"unknown text operator {op!r}")


def one_of(column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
    """``column`` equals one of ``values``: one comparison with an array, bound as one
    argument however many values there are (``list_argument``). PostgreSQL probes an index on
    the column once per value, or hashes the array when it tests rows one by one."""
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return false()
    if len(distinct) == 1:
        return column == distinct[0]
    return column == any_(list_argument(distinct))


SEPARATOR = "\x1f"
"""What joins a list's values in its text argument: the ASCII unit separator, which text a
person types does not hold."""
_SPLIT_ON: ColumnElement[str] = literal_column(f"chr({ord(SEPARATOR)})")
"""The separator written in the statement itself, not bound: one argument a list."""


def list_argument(values: Sequence[str]) -> ColumnElement[Any]:
    """``values`` as one text argument, split into a text array by PostgreSQL.

    asyncpg encodes an array argument element by element, checking each against two abstract
    base classes: for a pasted list of 1,000 phone numbers, 4.2 M of the 9.1 M instructions
    its count took. The joined text is made once, when the condition is compiled, and is one
    string to send. ``string_to_array`` is immutable, and statements run with custom plans
    (``plan_cache_mode``), so PostgreSQL plans with the array as a constant, as it did with
    the array itself (a cast of the text form instead, ``array_in``, is only stable: PostgreSQL
    kept it as an expression and evaluated it again on every row it filtered). Values that
    hold the separator are bound as an array."""
    joined = SEPARATOR.join(values)
    if joined.count(SEPARATOR) != len(values) - 1:
        return literal(list(values), ARRAY(SqlText))
    return func.string_to_array(literal(joined, SqlText), _SPLIT_ON)


def folded_in(folded: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]:
    """A folded column equals one of ``values``, each folded as it is (case, diacritics)."""
    return one_of(folded, [fold(v) for v in values])


def phone_in(column: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]:
    """The number equals one of ``values`` (each normalised as ``phone_match`` does)."""
    numbers = [n for n in map(normalize_phone, values) if n is not None]
    return one_of(column, numbers)


def value_match(column: ColumnElement[Any], match: Match, scope: Scope) -> ColumnElement[bool]:
    match match:
        case Present():
            if isinstance(column.type, SqlText):
                # NULL <> '' is NULL, false to a WHERE and to a negation's coalesce. Spelt
                # without IS NOT NULL it offers no index condition: next to an EXISTS under an
                # OR (costed as a probe per row) the planner took one on phones and read
                # 920,000 rows in random heap order (4 s) instead of the table in order.
                return column != ""
            return column.is_not(None)
        case Range(minimum=lo, maximum=hi, min_exclusive=lo_x, max_exclusive=hi_x):
            parts = []
            if lo is not None:
                parts.append(bound(column, lo, lower=True, exclusive=lo_x))
            if hi is not None:
                parts.append(bound(column, hi, lower=False, exclusive=hi_x))
            return and_(column.is_not(None), *parts)
        case Within(period=period):
            return within(column, period, scope, dates=False)
        case Text():
            return text_match(func.vn_fold(column), match)
    raise TypeError(f"unknown match {match!r}")


def bound(
    column: ColumnElement[Any], value: Decimal, *, lower: bool, exclusive: bool
) -> ColumnElement[bool]:
    """``column`` at or above (``lower``) or at or below ``value``, or strictly so.

    An integer column is compared with the whole number that selects the same rows: a Decimal is
    bound as a numeric, so PostgreSQL would cast the column on every row and no index on the
    column could serve the range.
    """
    whole = whole_bound(column.type, value, lower=lower, exclusive=exclusive)
    if whole is not None:
        return column >= whole if lower else column <= whole
    # As an unconstrained numeric: bound as a numeric column's own precision (an order's
    # numeric(16, 0)), a larger value was an overflow error in PostgreSQL rather than a bound
    # no amount reaches.
    number = literal(value, Numeric())
    if lower:
        return column > number if exclusive else column >= number
    return column < number if exclusive else column <= number


def whole_bound(kind: Any, value: Decimal, *, lower: bool, exclusive: bool) -> int | None:
    """The inclusive whole-number bound equal to ``value`` for an integer type, or None (not an
    integer type, or a bound the type cannot hold)."""
    if isinstance(kind, BigInteger):
        bits = 63
    elif isinstance(kind, SmallInteger):
        bits = 15
    elif isinstance(kind, Integer):
        bits = 31
    else:
        return None
    number = Decimal(value)  # conditions built in code may carry an int
    if not number.is_finite():
        return None
    if lower:
        whole = math.floor(number) + 1 if exclusive else math.ceil(number)
    else:
        whole = math.ceil(number) - 1 if exclusive else math.floor(number)
    return whole if -(2**bits) <= whole < 2**bits else None


def within(
    column: ColumnElement[Any], period: Period, scope: Scope, *, dates: bool
) -> ColumnElement[bool]:
    start: Any
    end: Any
    if dates:
        start, end = day_bounds(period, local_today(scope.now, scope.timezone))
    else:
        start, end = instant_bounds(period, scope.now, scope.timezone)
    parts = [column.is_not(None)]
    if start is not None:
        parts.append(column >= start)
    if end is not None:
        parts.append(column < end)
    return and_(*parts)


def in_period(column: ColumnElement[Any], period: Period | None, scope: Scope) -> list[Any]:
    return [] if period is None else [within(column, period, scope, dates=False)]
