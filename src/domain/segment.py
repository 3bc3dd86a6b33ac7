"""Segments (saved groups of customers or subscribers) and saved filters, including the
built-in ones of L3."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError, NotFound
from domain.filters import Everyone, Group, Linked, Not, Profile, Purchased
from domain.period import Last, PeriodUnit

MAX_NAME = 200


class ListKind(StrEnum):
    CUSTOMERS = "customers"
    MEMBERS = "members"
    SUBSCRIBERS = "subscribers"


@dataclass(frozen=True, slots=True)
class Segment:
    shop_id: int
    id: int
    name: str
    list: ListKind
    group: Group
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    members_pending: bool = False
    """Its stored members (whose changes are its entered / left events) do not follow the
    definition yet: from ``segmentCreate`` or a new definition until the job worker has
    stored them."""
    members_stored_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SavedFilter:
    """A filter of a list; ``built_in_key`` is set on the shop-wide built-ins of L3."""

    id: str
    list: ListKind
    name: str
    group: Group
    owner_staff_id: int | None
    shared: bool
    built_in_key: str | None = None


SEGMENT_LISTS = (ListKind.CUSTOMERS, ListKind.SUBSCRIBERS)


def segment_list(kind: ListKind, *, field: str = "input.list") -> ListKind:
    """The list a segment holds: customers (members are customers with `registeredMember`) or
    the subscribers of the shop's pages (S9)."""
    if kind not in SEGMENT_LISTS:
        raise DomainError(
            "A segment holds customers or subscribers; for members, make a customer segment "
            "with `registeredMember: true`.",
            field=field,
        )
    return kind


def not_your_filter() -> NotFound:
    """A saved filter id that is not one of the caller's (another's, or none at all)."""
    return NotFound("No saved filter of yours with this id.", field="input.id")


def clean_name(name: str, *, field: str = "input.name") -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError("Give a name.", field=field)
    if len(cleaned) > MAX_NAME:
        raise DomainError(f"A name has at most {MAX_NAME} characters.", field=field)
    return cleaned


_LAST_30 = Last(30, PeriodUnit.DAYS)
_MEMBER = Linked(Profile.MEMBER, Everyone())

BUILT_IN_FILTERS: tuple[tuple[str, str, Group], ...] = (
    ("all_customers", "Tất cả khách hàng", Group()),
    ("purchased_last_30_days", "Mua hàng 30 ngày gần đây", Group((Purchased(_LAST_30),))),
    (
        "no_purchase_last_30_days",
        "Đã lâu không mua hàng",
        Group((Not(Purchased(_LAST_30)),)),
    ),
    ("registered_members", "Đã đăng ký thành viên", Group((_MEMBER,))),
    ("not_registered", "Chưa đăng ký thành viên", Group((Not(_MEMBER),))),
)
"""L3: the five filters every shop has, on the customer list; ids are `built-in:<key>`."""


def built_in_filters() -> list[SavedFilter]:
    return [
        SavedFilter(f"built-in:{key}", ListKind.CUSTOMERS, name, group, None, True, key)
        for key, name, group in BUILT_IN_FILTERS
    ]
