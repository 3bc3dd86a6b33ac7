"""The condition tree walked into one boolean expression, negation pushed to the leaves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, false, func, not_, or_, true
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import Subquery
from sqlalchemy.sql.visitors import iterate

from domain.errors import DomainError, ErrorCode
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
    OneOf,
    Or,
    Profile,
    Purchased,
    Text,
    merge_equals,
)
from infra.filter_sql.related import linked_set, own_keys, purchased, related
from infra.filter_sql.scope import FOLDED_SETS, LINKED_SETS, Scope, column_of, folded_of
from infra.filter_sql.values import (
    folded_in,
    list_argument,
    one_of,
    phone_in,
    phone_match,
    points_match,
    text_match,
    value_match,
)

MAX_ARGUMENTS = 30_000
"""Values one filter may bind in a statement. PostgreSQL's protocol takes at most 32,767
arguments a statement, and the statement around a filter binds a few more. Lists of values
(``anyOf``, an ``or`` of equalities on one attribute) are one argument each, so only
conditions that cannot become a list count against it (a range binds two values, a tag's
EXISTS three)."""


def where(condition: Condition, scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause selecting the rows of ``scope.table`` that match ``condition``."""
    clause = inner_where(condition, scope)
    _bounded([clause], ())
    return clause


def inner_where(condition: Condition, scope: Scope) -> ColumnElement[bool]:
    """``where`` for a condition inside another's statement, which bounds them together."""
    return _compile(condition, scope, positive=True, conjunct=True, sets=None)


def _bounded(clauses: Sequence[ColumnElement[bool]], joins: Sequence[Join]) -> None:
    """Refuses, as ``TOO_COMPLEX``, ``clauses`` and their joined sets that bind more than
    ``MAX_ARGUMENTS`` values, where PostgreSQL would refuse the statement."""
    parts = (*clauses, *(found for found, _ in joins))
    bound = sum(isinstance(node, BindParameter) for part in parts for node in iterate(part))
    if bound > MAX_ARGUMENTS:
        raise DomainError(
            f"The filter needs {bound:,} values in one statement; PostgreSQL takes at most"
            f" {MAX_ARGUMENTS:,}. Put equalities on one attribute in one `or` (a list of"
            " numbers, say) or use `anyOf`: a list counts as one value.",
            code=ErrorCode.TOO_COMPLEX,
        )


Join = tuple[Subquery, ColumnElement[bool]]


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class WholeSet:
    """Conditions in the form for a statement that reads every matching row (a count):
    conditions on other rows that are not conjuncts of the WHERE clause are left-joined sets
    of keys (``related.linked_set``) tested in ``clauses``, so the statement can run in
    parallel; a conjunct stays an EXISTS, which PostgreSQL turns into a (semi or anti) join.
    A first page keeps ``where``'s form, whose EXISTS probes only the rows it reaches.

    Compared and hashed by identity, like the clauses it holds: a form is kept with its
    compiled condition, and what is known of it (``repositories.base``) is kept by it."""

    clauses: tuple[ColumnElement[bool], ...]
    joins: tuple[Join, ...]
    keys: Subquery | None = None
    """Where the whole condition is one condition on other rows that point at the row by its
    id (a tag, a purchase of some products, a linked subscriber ...): the ids those rows hold
    (``related.own_keys``), whose number is the count, read without the row's own table."""

    @property
    def clause(self) -> ColumnElement[bool]:
        return self.clauses[0]

    def select_from(self, table: FromClause) -> FromClause:
        joined = table
        for found, on in self.joins:
            joined = joined.outerjoin(found, on)
        return joined


class _Sets:
    """The left-joined sets of one statement (one scope), each condition's set joined once."""

    def __init__(self) -> None:
        self.joins: list[Join] = []
        self._keys: dict[Condition, ColumnElement[Any] | None] = {}

    def key(self, node: Condition, scope: Scope) -> ColumnElement[Any] | None:
        """The joined key column of ``node``'s set (NULL where a row has none), or ``None``
        when no row can match."""
        try:
            if node in self._keys:
                return self._keys[node]
        except TypeError:  # a condition holding an unhashable value: joined each time
            return self._join(node, scope)
        key = self._keys[node] = self._join(node, scope)
        return key

    def _join(self, node: Condition, scope: Scope) -> ColumnElement[Any] | None:
        joined = linked_set(node, scope, f"linked_set_{len(self.joins) + 1}")
        if joined is None:
            return None
        self.joins.append(joined)
        return joined[0].c.key


def whole_set(condition: Condition, scope: Scope, *, keys: bool = True) -> WholeSet:
    """``condition`` as the WHERE clause of a count; with ``keys``, also its ``WholeSet.keys``
    form where it has one (a statement that counts other rows than the scope's leaves it)."""
    sets = _Sets()
    clause = _compile(condition, scope, positive=True, conjunct=True, sets=sets)
    counted = _counted_keys(condition, scope) if keys else None
    _bounded([clause], sets.joins)
    return WholeSet((clause,), tuple(sets.joins), counted)


def _counted_keys(condition: Condition, scope: Scope) -> Subquery | None:
    """``WholeSet.keys`` for ``condition``, where it is one condition on other rows."""
    node = _alone(condition)
    return own_keys(node, scope, "counted_keys") if _on_other_rows(node, scope) else None


def _alone(node: Condition) -> Condition:
    """``node`` without the one-item ``and`` / ``or`` around it (an ``or`` of conditions on one
    linked profile is one condition on it, see ``_merge_linked``)."""
    while True:
        match node:
            case And(items=(item,)):
                node = item
            case Or(items=items) if len(merged := _or_items(items)) == 1:
                node = merged[0]
            case _:
                return node


def filter_clauses(conditions: Sequence[Condition], scope: Scope) -> WholeSet:
    """``conditions`` as the FILTER clauses of the aggregates of one statement (counted side
    by side), where no EXISTS can become a join: every condition on other rows is a joined
    set, one per distinct condition. Left as EXISTS, PostgreSQL probed them row by row
    (3.3-3.7 s for a preview's five parts at a million customers)."""
    sets = _Sets()
    clauses = tuple(
        _compile(c, scope, positive=True, conjunct=False, sets=sets) for c in conditions
    )
    _bounded(clauses, sets.joins)
    return WholeSet(clauses, tuple(sets.joins))


def _on_other_rows(node: Condition, scope: Scope) -> bool:
    """Whether ``node`` is a condition on other rows (``related``): a linked profile, a set
    held in a linked table (tags, topics, sequences), purchases, offers used, custom fields.
    A customer's purchases without products are read off the customer's last order instead
    (``related.purchased``), which beats reading the period's orders."""
    match node:
        case Purchased(skus=skus):
            return bool(skus) or scope.profile is not Profile.CUSTOMER
        case AnyOf(attr=attr):
            return attr in LINKED_SETS
    return isinstance(node, Linked | OfferUsed | CustomField)


def _compile(
    node: Condition, scope: Scope, *, positive: bool, conjunct: bool, sets: _Sets | None
) -> ColumnElement[bool]:
    """``conjunct``: the result is ANDed straight into the WHERE clause. ``sets``: where the
    joined sets of a whole-set statement are collected (``None`` for the plain form)."""
    match node:
        case And(items=items):
            # Negated, an And is an OR: its parts are no longer conjuncts.
            inner = conjunct and positive
            parts = [
                _compile(i, scope, positive=positive, conjunct=inner, sets=sets) for i in items
            ]
            return and_(true(), *parts) if positive else or_(false(), *parts)
        case Or(items=items):
            merged = _or_items(items)
            if len(merged) == 1:  # one profile's or one attribute's conditions: no OR is left
                return _compile(merged[0], scope, positive=positive, conjunct=conjunct, sets=sets)
            inner = conjunct and not positive
            parts = [
                _compile(i, scope, positive=positive, conjunct=inner, sets=sets) for i in merged
            ]
            return or_(false(), *parts) if positive else and_(true(), *parts)
        case Not(item=item):
            return _compile(item, scope, positive=not positive, conjunct=conjunct, sets=sets)
        case Everyone():
            return true() if positive else false()
        case _ if _on_other_rows(node, scope):
            return _related(node, scope, positive=positive, conjunct=conjunct, sets=sets)
        case Purchased():  # a customer's, without products
            # Its EXISTS is read only by customers whose last order is past the period's end.
            found = purchased(node, scope)
            return found if positive else not_(found)
        case Compare() | AnyOf() | BirthdayMonth() | BirthdayBetween():
            leaf = _leaf(node, scope)
            return leaf if positive else not_(func.coalesce(leaf, false()))
    raise TypeError(f"cannot compile condition {node!r}")


def _related(
    node: Condition, scope: Scope, *, positive: bool, conjunct: bool, sets: _Sets | None
) -> ColumnElement[bool]:
    """A condition on other rows: an EXISTS, or in a whole-set statement, where it is not a
    conjunct, a left-joined set of keys."""
    if sets is None or conjunct:
        found = related(node, scope, joined=sets is not None)
        return found if positive else not_(found)
    key = sets.key(node, scope)
    if key is None:
        return false() if positive else true()
    return key.is_not(None) if positive else key.is_(None)


def _leaf(node: Condition, scope: Scope) -> ColumnElement[bool]:
    match node:
        case Compare(attr=Attr.PHONE, match=Text(op=op, value=value)):
            return phone_match(column_of(scope, Attr.PHONE), op, value)
        case Compare(attr=Attr.PHONE, match=OneOf(values=values)):
            return phone_in(column_of(scope, Attr.PHONE), values)
        case Compare(attr=attr, match=OneOf(values=values)):
            return folded_in(folded_of(scope, attr), values)
        case Compare(attr=Attr.POINTS, match=m):
            return points_match(m, scope)
        case Compare(attr=attr, match=Text() as text):
            return text_match(folded_of(scope, attr), text, scanned=scope.scanned)
        case Compare(attr=attr, match=m):
            return value_match(column_of(scope, attr), m, scope)
        case AnyOf(attr=Attr.CHANNEL, values=values):
            if not values:
                return false()
            return column_of(scope, Attr.CHANNEL).op("&&")(list_argument(values))
        case AnyOf(attr=attr, values=values):
            if attr in FOLDED_SETS:
                return folded_in(folded_of(scope, attr), values)
            return one_of(column_of(scope, attr), values)
        case BirthdayMonth(month=month):
            return scope.table.c.birthday_key.between(month * 100 + 1, month * 100 + 31)
        case BirthdayBetween(start=start, end=end):
            key = scope.table.c.birthday_key
            low, high = start[0] * 100 + start[1], end[0] * 100 + end[1]
            if low <= high:
                return key.between(low, high)
            return or_(key >= low, key <= high)
    raise TypeError(f"cannot compile leaf {node!r}")


def _or_items(items: tuple[Condition, ...]) -> list[Condition]:
    """The items of an Or as compiled: each linked profile's conditions one condition on it,
    each attribute's equalities one comparison with a list (``filters.merge_equals``)."""
    return merge_equals(_merge_linked(items))


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
