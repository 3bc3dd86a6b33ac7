"""Conditions on other rows: linked profiles, tags, topics, sequences, orders, offers and
custom fields, each an EXISTS over its table (purchases read the customer's last order first),
or, in a statement reading every matching row, a left-joined set of keys (``linked_set``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    and_,
    any_,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.sql.selectable import Subquery

from domain.filters import (
    AnyOf,
    Attr,
    Condition,
    CustomField,
    Linked,
    Match,
    OfferUsed,
    OneOf,
    Present,
    Profile,
    Purchased,
    Range,
    Text,
    Within,
)
from domain.period import instant_bounds
from domain.text import fold
from infra import tables as t
from infra.filter_sql import compiler
from infra.filter_sql.scope import TABLES, TAGS, Scope
from infra.filter_sql.values import (
    folded_in,
    in_period,
    one_of,
    phone_in,
    phone_match,
    text_match,
    value_match,
    within,
)


def purchased(node: Purchased, scope: Scope) -> ColumnElement[bool]:
    """A customer placed an order within the period (or ever), read off ``last_order_at``.

    ``last_order_at`` is the latest ``placed_at`` of the customer's orders: every write of
    orders (ingestion, thread orders, merges) recomputes it. So a customer bought within
    [start, end) exactly when the last order is at or after start and either before end or,
    for the few whose last order is later than the window, some order falls inside it. The
    orders table is read only for those; the rest is a range of an indexed column instead of
    a semi-join over every order of the period.
    """
    last = scope.table.c.last_order_at
    parts: list[ColumnElement[bool]] = [last.is_not(None)]
    if node.period is not None:
        start, end = instant_bounds(node.period, scope.now, scope.timezone)
        if start is not None:
            parts.append(last >= start)
        if end is not None:
            parts.append(or_(last < end, related(node, scope)))
    return and_(*parts)


@dataclass(frozen=True, slots=True)
class Rows:
    """The rows a condition on other rows looks for: ``link`` is their column equal to the
    scope row's ``key``, ``parts`` what else they must satisfy (no reference to the row)."""

    link: ColumnElement[Any]
    key: ColumnElement[Any]
    parts: tuple[ColumnElement[bool], ...]


def related(node: Condition, scope: Scope, *, joined: bool = False) -> ColumnElement[bool]:
    """Some row of the condition's table is linked to the scope row and matches: an EXISTS,
    which PostgreSQL runs as a semi-join where it is a conjunct of the WHERE clause and probes
    row by row (or hashes the set, as it estimates cheaper) elsewhere. ``joined``: see
    ``rows_of``."""
    rows = rows_of(node, scope, joined=joined)
    if rows is None:
        return false()
    return exists().where(rows.link == rows.key, *rows.parts)


def linked_set(
    node: Condition, scope: Scope, name: str
) -> tuple[Subquery, ColumnElement[bool]] | None:
    """The keys of the rows ``related`` looks for, as a set to left-join on the scope row: the
    subquery named ``name`` and the join's ON clause (``None`` for a condition matching no row).

    Where a statement reads every matching row (a count), an EXISTS under an OR or a NOT cannot
    become a join: PostgreSQL runs it as a subplan beside a per-row alternative, and that keeps
    the whole statement in one process. A left join of the distinct keys is planned like any
    join: in parallel, with a hash table that spills to disk rather than a per-row rescan.
    """
    rows = rows_of(node, scope, joined=True)
    if rows is None:
        return None
    found = _links(rows, name)
    return found, found.c.key == rows.key


def own_keys(node: Condition, scope: Scope, name: str) -> Subquery | None:
    """The ids of the scope's rows that ``node`` finds, read from the other rows alone (the
    subquery named ``name``, one row per id), or ``None`` where the other rows do not point at
    the scope row by its id (a subscriber's customer) or no row can match.

    Every such link is a foreign key within the shop (a tagging, an order, a membership, a
    linked subscriber, an OTN subscription, an enrolment, a custom value, an offer use), and
    the other rows are read in the scope's shop only: each id is one of the shop's rows, so
    counting the ids counts the rows without reading their table.
    """
    rows = rows_of(node, scope, joined=True)
    if rows is None or rows.key is not scope.table.c.id:
        return None
    return _links(rows, name)


def _links(rows: Rows, name: str) -> Subquery:
    """The distinct links of ``rows``, as the subquery ``name`` with one column, ``key``."""
    keys = select(rows.link.label("key")).where(rows.link.is_not(None), *rows.parts).distinct()
    return keys.subquery(name)


def rows_of(node: Condition, scope: Scope, *, joined: bool = False) -> Rows | None:
    """What ``node`` looks for in other rows; ``None`` when it names no value, so no row can
    match. ``joined``: for a statement reading every matching row, where tags are joined by
    name instead of looked up first: an InitPlan inside a left-joined set keeps the statement
    out of a parallel plan, and the few rows estimated for a join by name put the (anti or
    semi) join of the tagged after the other conditions rather than before them."""
    row, shop = scope.table, scope.shop_id
    match node:
        case Linked(profile=target, condition=inner):
            other = TABLES[target].alias()
            inner_scope = replace(scope, profile=target, table=other)
            link, key = link_to(scope, other, target)
            return Rows(
                link, key, (other.c.shop_id == shop, compiler.inner_where(inner, inner_scope))
            )
        case AnyOf(attr=attr, values=values) if attr in TAGS:
            if not values:
                return None
            # Chat tags live on subscribers and customer tags on customers (placing the
            # condition put it there); `tag` is the tags of the list's own rows.
            owner = "customer" if scope.profile is Profile.CUSTOMER else "subscriber"
            taggings = t.customer_tag if owner == "customer" else t.subscriber_tag
            names = [fold(v) for v in values]
            if joined:
                tag = t.tag
                return Rows(
                    taggings.c[f"{owner}_id"],
                    row.c.id,
                    (
                        taggings.c.shop_id == shop,
                        tag.c.shop_id == shop,
                        tag.c.id == taggings.c.tag_id,
                        one_of(tag.c.name_folded, names),
                    ),
                )
            # The tag ids are looked up once, as an array, before any link is read. Joined to
            # the tags by name instead, the planner took the named tags for an average share of
            # the shop's 387 tags: 1,161 customers estimated for 74,546 (VIP or loyal), so a
            # first page sorted them all (0.5 s) instead of probing the newest customers.
            tag_ids = select(t.tag.c.id).where(
                t.tag.c.shop_id == shop, one_of(t.tag.c.name_folded, names)
            )
            return Rows(
                taggings.c[f"{owner}_id"],
                row.c.id,
                (
                    taggings.c.shop_id == shop,
                    taggings.c.tag_id == any_(func.array(tag_ids.scalar_subquery())),
                ),
            )
        case AnyOf(attr=Attr.OTN_TOPIC, values=values):
            otn = t.otn_subscription
            if not values:
                return None
            return Rows(
                otn.c.subscriber_id,
                row.c.id,
                (otn.c.shop_id == shop, folded_in(otn.c.topic_folded, values)),
            )
        case AnyOf(attr=Attr.SEQUENCE, values=values):
            enrol, seq = t.sequence_enrolment, t.sequence
            if not values:
                return None
            return Rows(
                enrol.c.subscriber_id,
                row.c.id,
                (
                    enrol.c.shop_id == shop,
                    enrol.c.status != "cancelled",
                    seq.c.shop_id == shop,
                    seq.c.id == enrol.c.sequence_id,
                    folded_in(func.vn_fold(seq.c.name), values),
                ),
            )
        case Purchased(period=period, skus=skus):
            o = t.order.alias("o")
            parts = [o.c.shop_id == shop, *in_period(o.c.placed_at, period, scope)]
            if skus:
                line, product = t.order_line, t.product
                named = (product.c.shop_id == shop, one_of(product.c.sku, skus))
                bought: tuple[ColumnElement[bool], ...]
                if joined:
                    bought = (product.c.id == line.c.product_id, *named)
                else:
                    # As tags: the product ids once, as an array, rather than the product
                    # probed for every order line of every customer a first page walks
                    # (22 ms against 9 ms for two products' buyers at a million customers).
                    product_ids = select(product.c.id).where(*named).scalar_subquery()
                    bought = (line.c.product_id == any_(func.array(product_ids)),)
                parts.append(
                    exists().where(line.c.shop_id == shop, line.c.order_id == o.c.id, *bought)
                )
            return Rows(o.c.customer_id, row.c.id, tuple(parts))
        case OfferUsed(period=period, offer_codes=codes):
            use = t.offer_use
            parts = [use.c.shop_id == shop, *in_period(use.c.used_at, period, scope)]
            if codes:
                parts.append(one_of(use.c.offer_code, codes))
            return Rows(use.c.member_id, row.c.id, tuple(parts))
        case CustomField(key=key, match=m):
            value, field = t.custom_field_value, t.custom_field
            return Rows(
                value.c.subscriber_id,
                row.c.id,
                (
                    value.c.shop_id == shop,
                    field.c.shop_id == shop,
                    field.c.id == value.c.field_id,
                    field.c.key == key,
                    custom_value(value, field, m, scope),
                ),
            )
    raise TypeError(f"cannot compile condition {node!r}")


def custom_value(
    value: FromClause, field: FromClause, match: Match, scope: Scope
) -> ColumnElement[bool]:
    match match:
        case Text(op=op, value=given):
            return _text_or_phone(
                field,
                text_match(value.c.value_folded, match),
                phone_match(value.c.value_text, op, given),
            )
        case OneOf(values=listed):
            return _text_or_phone(
                field, folded_in(value.c.value_folded, listed), phone_in(value.c.value_text, listed)
            )
        case Range():
            return value_match(value.c.value_number, match, scope)
        case Within(period=period):
            return within(value.c.value_date, period, scope, dates=True)
        case Present():
            return or_(
                and_(value.c.value_text.is_not(None), value.c.value_text != ""),
                value.c.value_number.is_not(None),
                value.c.value_date.is_not(None),
            )
    raise TypeError(f"unknown match {match!r}")


def _text_or_phone(
    field: FromClause, text: ColumnElement[bool], phone: ColumnElement[bool]
) -> ColumnElement[bool]:
    """A text condition on a custom field's value: phone fields hold the normalised number
    and match as phones do (``phone``), other fields their folded text (``text``)."""
    return or_(and_(field.c.type != "phone", text), and_(field.c.type == "phone", phone))


def link_to(
    scope: Scope, other: FromClause, target: Profile
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The column of ``other`` and the column of the scope row that link the two profiles."""
    row = scope.table
    match scope.profile, target:
        case Profile.CUSTOMER, Profile.MEMBER | Profile.SUBSCRIBER:
            return other.c.customer_id, row.c.id
        case Profile.MEMBER | Profile.SUBSCRIBER, Profile.CUSTOMER:
            return other.c.id, row.c.customer_id
    raise TypeError(f"no link from {scope.profile} to {target}")
