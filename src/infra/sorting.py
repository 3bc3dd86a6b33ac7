"""Sort expressions of the lists and the keyset condition that resumes after a position."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, or_, select, tuple_

from domain.filters import Profile
from domain.sorting import Position, Sort, SortBy
from infra import tables as t

_OWN: dict[Profile, dict[SortBy, str]] = {
    Profile.CUSTOMER: {
        SortBy.NAME: "full_name_folded",
        SortBy.TOTAL_SPENT: "total_spent",
        SortBy.ORDERS_COUNT: "orders_count",
        SortBy.LAST_ORDER: "last_order_at",
    },
    Profile.MEMBER: {SortBy.MEMBER_SINCE: "member_since", SortBy.POINTS: "points_balance"},
    Profile.SUBSCRIBER: {
        SortBy.NAME: "full_name_folded",
        SortBy.SIGNUP_DATE: "signed_up_at",
        SortBy.LAST_INTERACTION: "last_interaction_at",
    },
}
_PROFILES = {t.customer.name: Profile.CUSTOMER, t.member.name: Profile.MEMBER}
_PROFILES[t.subscriber.name] = Profile.SUBSCRIBER


def sort_expression(table: Table, sort: Sort) -> ColumnElement[Any]:
    """The value rows of ``table`` are ordered by (before the id that breaks ties)."""
    profile = _PROFILES[table.name]
    if sort.by is SortBy.CREATED:
        return table.c.id
    own = _OWN[profile].get(sort.by)
    if own is not None:
        return table.c[own]
    if profile is Profile.MEMBER:
        # A member's name and purchase figures are those of its customer.
        customer = t.customer.alias("sort_customer")
        column = _OWN[Profile.CUSTOMER][sort.by]
        return (
            select(customer.c[column])
            .where(customer.c.shop_id == table.c.shop_id, customer.c.id == table.c.customer_id)
            .scalar_subquery()
        )
    raise ValueError(f"{profile} cannot be sorted by {sort.by}")


def nullable(expression: ColumnElement[Any]) -> bool:
    return not (hasattr(expression, "nullable") and expression.nullable is False)


def order_by(expression: ColumnElement[Any], table: Table, sort: Sort) -> list[Any]:
    """Sort value then id, both in the sort's direction; rows without a value last."""
    if sort.descending:
        key, tie = expression.desc(), table.c.id.desc()
    else:
        key, tie = expression.asc(), table.c.id.asc()
    if nullable(expression):
        key = key.nulls_last()
    return [key, tie]


AFTER_VALUE, AFTER_ID = "after_value", "after_id"
"""The parameters holding the position a page resumes after (see ``after_arguments``)."""


def after(expression: ColumnElement[Any], table: Table, position: Position) -> ColumnElement[bool]:
    """Rows that come after ``position`` in the order of ``order_by``.

    The position's sort value and id are the named parameters ``AFTER_VALUE`` and ``AFTER_ID``,
    so the clause depends only on the order and on whether the position has a value; run it
    with ``after_arguments(position)``."""
    ident = table.c.id
    desc = position.sort.descending
    last_id = bindparam(AFTER_ID, position.id, type_=ident.type)
    if position.value is None:
        # Past the last row with a value: only rows without one, by id.
        return and_(expression.is_(None), ident < last_id if desc else ident > last_id)
    pair = tuple_(expression, ident)
    last = tuple_(bindparam(AFTER_VALUE, position.value, type_=expression.type), last_id)
    beyond = pair < last if desc else pair > last
    if not nullable(expression):
        return beyond
    return or_(beyond, expression.is_(None))


def after_arguments(position: Position) -> dict[str, Any]:
    """The values of the parameters of ``after(…, position)``."""
    if position.value is None:
        return {AFTER_ID: position.id}
    return {AFTER_VALUE: position.value, AFTER_ID: position.id}
