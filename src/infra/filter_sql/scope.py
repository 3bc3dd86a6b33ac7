"""What a condition is compiled against: the profile's table and its columns, the shop, the
instant and the time zone relative periods are evaluated in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, DateTime, FromClause, bindparam, func

from domain.filters import Attr, Profile
from infra import tables as t

# Attributes stored as text whose values are matched folded, and where a folded copy is stored.
FOLDED_COLUMNS = {
    "full_name": "full_name_folded",
    "email": "email_folded",
    "address": "address_folded",
    "utm_campaign": "utm_campaign_folded",
    "province": "province_folded",
    "district": "district_folded",
}
TAGS = frozenset({Attr.TAG, Attr.CHAT_TAG, Attr.CUSTOMER_TAG})
"""Tag sets: a list's own tags, and the chat and customer tags placed on their profiles."""
LINKED_SETS = TAGS | {Attr.OTN_TOPIC, Attr.SEQUENCE}
"""Set attributes read from a linked table (taggings, OTN subscriptions, enrolments)."""
FOLDED_SETS = {Attr.PROVINCE, Attr.DISTRICT, *LINKED_SETS}

COLUMNS: dict[Profile, dict[Attr, str]] = {
    Profile.CUSTOMER: {
        Attr.FIRST_NAME: "first_name",
        Attr.LAST_NAME: "last_name",
        Attr.FULL_NAME: "full_name",
        Attr.GENDER: "gender",
        Attr.EMAIL: "email",
        Attr.PHONE: "phone_normalized",
        Attr.CARRIER: "carrier",
        Attr.ADDRESS: "address",
        Attr.PROVINCE: "province",
        Attr.DISTRICT: "district",
        Attr.SIGNUP_DATE: "created_at",
        Attr.ORDERS_COUNT: "orders_count",
        Attr.TOTAL_SPENT: "total_spent",
        Attr.LAST_PURCHASE: "last_order_at",
        Attr.CHANNEL: "channels",
    },
    Profile.MEMBER: {
        Attr.TIER: "tier",
        Attr.POINTS: "points_balance",
        Attr.MEMBER_SINCE: "member_since",
        Attr.MEMBER_CODE: "member_code",
    },
    Profile.SUBSCRIBER: {
        Attr.FIRST_NAME: "first_name",
        Attr.LAST_NAME: "last_name",
        Attr.FULL_NAME: "full_name",
        Attr.GENDER: "gender",
        Attr.EMAIL: "email",
        Attr.PHONE: "phone_normalized",
        Attr.SIGNUP_DATE: "signed_up_at",
        Attr.LAST_INTERACTION: "last_interaction_at",
        Attr.STORE_NAME: "store_name",
        Attr.STORE_CODE: "store_code",
        Attr.CUSTOMER_CODE: "customer_code",
        Attr.CUSTOMER_NAME: "customer_name",
        Attr.LAST_SOURCE: "last_source",
        Attr.LAST_PAGE_SOURCE: "last_page_source",
        Attr.UTM_SOURCE: "utm_source",
        Attr.UTM_MEDIUM: "utm_medium",
        Attr.UTM_CAMPAIGN: "utm_campaign",
    },
}

TABLES = {Profile.CUSTOMER: t.customer, Profile.MEMBER: t.member, Profile.SUBSCRIBER: t.subscriber}


@dataclass(frozen=True, slots=True)
class Scope:
    """What a condition is evaluated against: one profile's row, in one shop, at one instant."""

    profile: Profile
    table: FromClause
    shop_id: int
    now: datetime
    timezone: str
    scanned: bool = False
    """Text searched inside a value is written for a read of every row (``strpos``), which no
    trigram index serves, rather than as a ``LIKE`` pattern, which one may: see
    ``CustomerRepository.count``'s choice between the two."""


INSTANT = "instant"
"""The parameter holding the instant a clause is evaluated at, in the clauses that depend on
it (available points): kept clauses are run with each request's own (``Where.arguments``)."""


def instant_of(scope: Scope) -> BindParameter[datetime]:
    """``scope.now`` as the named parameter ``INSTANT``: every use in a statement is one
    parameter, so one value given at execution replaces them all."""
    return bindparam(INSTANT, scope.now, type_=DateTime(timezone=True))


def scope_for(
    profile: Profile, shop_id: int, now: datetime, timezone: str, *, scanned: bool = False
) -> Scope:
    return Scope(profile, TABLES[profile], shop_id, now, timezone, scanned)


def column_of(scope: Scope, attr: Attr) -> ColumnElement[Any]:
    name = COLUMNS[scope.profile].get(attr)
    if name is None:
        raise TypeError(f"{attr} is not an attribute of {scope.profile}")
    return scope.table.c[name]


def folded_of(scope: Scope, attr: Attr) -> ColumnElement[str]:
    name = COLUMNS[scope.profile][attr]
    stored = FOLDED_COLUMNS.get(name)
    if stored is not None and stored in scope.table.c:
        return scope.table.c[stored]
    return func.vn_fold(scope.table.c[name])
