"""The condition tree walked into one boolean expression, negation pushed to the leaves."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, or_, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text as SqlText

from domain.filters import (
    And,
    AnyOf,
    Attr,
    BirthdayBetween,
    BirthdayMonth,
    Compare,
    Condition,
    CustomField,
    Everyone,
    Linked,
    Not,
    OfferUsed,
    Or,
    Profile,
    Purchased,
    Text,
)
from domain.text import fold
from infra.filter_sql.related import purchased, related
from infra.filter_sql.scope import FOLDED_SETS, LINKED_SETS, Scope, column_of, folded_of
from infra.filter_sql.values import phone_match, points_match, text_match, value_match


def where(condition: Condition, scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause selecting the rows of ``scope.table`` that match ``condition``."""
    return _compile(condition, scope, positive=True)


def _reads_linked(node: Condition) -> bool:
    """A condition on a linked profile, or a set held in a linked table (tags, topics, ...)."""
    return isinstance(node, Linked) or (isinstance(node, AnyOf) and node.attr in LINKED_SETS)


def _compile(node: Condition, scope: Scope, *, positive: bool) -> ColumnElement[bool]:
    match node:
        case And(items=items):
            parts = [_compile(i, scope, positive=positive) for i in items]
            return and_(true(), *parts) if positive else or_(false(), *parts)
        case Or(items=items):
            parts = [_compile(i, scope, positive=positive) for i in _merge_linked(items)]
            return or_(false(), *parts) if positive else and_(true(), *parts)
        case Not(item=item):
            return _compile(item, scope, positive=not positive)
        case Everyone():
            return true() if positive else false()
        case Linked() | AnyOf() if _reads_linked(node):
            found = related(node, scope)
            return found if positive else not_(found)
        case Purchased(skus=()) if scope.profile is Profile.CUSTOMER:
            found = purchased(node, scope)
            return found if positive else not_(found)
        case Purchased() | OfferUsed() | CustomField():
            found = related(node, scope)
            return found if positive else not_(found)
        case Compare() | AnyOf() | BirthdayMonth() | BirthdayBetween():
            leaf = _leaf(node, scope)
            return leaf if positive else not_(func.coalesce(leaf, false()))
    raise TypeError(f"cannot compile condition {node!r}")


def _leaf(node: Condition, scope: Scope) -> ColumnElement[bool]:
    match node:
        case Compare(attr=Attr.PHONE, match=Text(op=op, value=value)):
            return phone_match(column_of(scope, Attr.PHONE), op, value)
        case Compare(attr=Attr.POINTS, match=m):
            return points_match(m, scope)
        case Compare(attr=attr, match=Text() as text):
            return text_match(folded_of(scope, attr), text)
        case Compare(attr=attr, match=m):
            return value_match(column_of(scope, attr), m, scope)
        case AnyOf(attr=Attr.CHANNEL, values=values):
            if not values:
                return false()
            return column_of(scope, Attr.CHANNEL).op("&&")(literal(list(values), ARRAY(SqlText)))
        case AnyOf(attr=attr, values=values):
            if not values:
                return false()
            if attr in FOLDED_SETS:
                return folded_of(scope, attr).in_([fold(v) for v in values])
            return column_of(scope, attr).in_(values)
        case BirthdayMonth(month=month):
            return scope.table.c.birthday_key.between(month * 100 + 1, month * 100 + 31)
        case BirthdayBetween(start=start, end=end):
            key = scope.table.c.birthday_key
            low, high = start[0] * 100 + start[1], end[0] * 100 + end[1]
            if low <= high:
                return key.between(low, high)
            return or_(key >= low, key <= high)
    raise TypeError(f"cannot compile leaf {node!r}")


def _merge_linked(items: tuple[Condition, ...]) -> list[Condition]:
    """``items`` of an Or with the conditions on one linked profile merged into one.

    Some linked subscriber matching a, or one matching b, is one matching a or b: a single
    EXISTS, which PostgreSQL can run as a semi-join (a first page probes the newest customers'
    subscribers) where two EXISTS under an OR are two hashed sets built in full first.
    """
    conditions: dict[Profile, list[Condition]] = {}
    for item in items:
        if isinstance(item, Linked):
            conditions.setdefault(item.profile, []).append(item.condition)
    merged: list[Condition] = []
    for item in items:
        if not isinstance(item, Linked):
            merged.append(item)
        elif item.profile in conditions:
            inner = conditions.pop(item.profile)
            merged.append(item if len(inner) == 1 else Linked(item.profile, Or(tuple(inner))))
    return merged
