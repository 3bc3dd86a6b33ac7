"""Customer, order and member items of partner batches, and their validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from domain.customer import Channel, Gender
from domain.errors import DomainError, shown
from domain.ingest import (
    MAX_INDEXED_TEXT,
    MAX_NAME_PART,
    MAX_TEXT,
    aware,
    external_id,
    normalize_email,
    optional_text,
    required_code,
    sku,
)
from domain.numbers import vnd
from domain.phone import carrier_of, normalize_phone

MAX_LINES = 200


@dataclass(frozen=True, slots=True)
class CustomerItem:
    """A customer as a partner sends it; absent (None) fields keep what is stored."""

    external_id: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    province: str | None = None
    district: str | None = None
    ward: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    item: CustomerItem
    full_name: str | None
    email_normalized: str | None
    phone_normalized: str | None
    carrier: str | None


def normalize_phone_field(value: str | None, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    normalized = normalize_phone(value)
    if normalized is None or not normalized.startswith("0") or len(normalized) not in (10, 11):
        raise DomainError(
            f"{shown(value)} is not a Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678).",
            field=field,
        )
    return normalized


def validate_customer(
    item: CustomerItem, carrier: Callable[[str | None], str | None] = carrier_of
) -> CustomerRecord:
    """``carrier`` may be a memoised ``carrier_of`` for large imports."""
    key = external_id(item.external_id)
    for name, camel, longest in _CUSTOMER_TEXT_FIELDS:
        optional_text(getattr(item, name), camel, longest)
    phone = normalize_phone_field(item.phone)
    full_name = item.full_name
    if full_name is None and (item.first_name or item.last_name):
        full_name = " ".join(p for p in (item.last_name, item.first_name) if p)
    aware(item.created_at, "createdAt")
    return CustomerRecord(
        item=item if key == item.external_id else replace(item, external_id=key),
        full_name=full_name,
        email_normalized=normalize_email(item.email),
        phone_normalized=phone,
        carrier=carrier(phone),
    )


@dataclass(frozen=True, slots=True)
class OrderLineItem:
    sku: str
    quantity: int
    amount: Decimal
    name: str | None = None


@dataclass(frozen=True, slots=True)
class OrderItem:
    """An order; sending it again replaces its fields and lines."""

    external_id: str
    customer_external_id: str
    channel: Channel
    placed_at: datetime
    total_amount: Decimal
    store_code: str | None = None
    lines: tuple[OrderLineItem, ...] = ()


def validate_order(item: OrderItem) -> OrderItem:
    key = external_id(item.external_id)
    customer_key = external_id(item.customer_external_id, "customerExternalId")
    aware(item.placed_at, "placedAt")
    vnd(item.total_amount, "totalAmount")
    if len(item.lines) > MAX_LINES:
        raise DomainError(f"An order has at most {MAX_LINES} lines.", field="lines")
    for position, line in enumerate(item.lines):
        sku(line.sku, f"lines.{position}.sku")
        if line.quantity <= 0:
            raise DomainError(
                "The quantity must be at least 1.", field=f"lines.{position}.quantity"
            )
        vnd(line.amount, f"lines.{position}.amount")
    return OrderItem(
        external_id=key,
        customer_external_id=customer_key,
        channel=item.channel,
        placed_at=item.placed_at,
        total_amount=item.total_amount,
        store_code=optional_text(item.store_code, "storeCode"),
        lines=tuple(
            OrderLineItem(
                sku=line.sku.strip(),
                quantity=line.quantity,
                amount=line.amount,
                name=optional_text(line.name, "name"),
            )
            for line in item.lines
        ),
    )


@dataclass(frozen=True, slots=True)
class MemberItem:
    """A loyalty registration of an existing customer."""

    external_id: str
    customer_external_id: str
    member_code: str
    member_since: datetime
    tier: str | None = None


def validate_member(item: MemberItem) -> MemberItem:
    code = required_code(item.member_code, "memberCode", "A member code")
    aware(item.member_since, "memberSince")
    return MemberItem(
        external_id=external_id(item.external_id),
        customer_external_id=external_id(item.customer_external_id, "customerExternalId"),
        member_code=code,
        member_since=item.member_since,
        tier=optional_text(item.tier, "tier", 100),
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_CUSTOMER_TEXT_FIELDS = tuple(
    (name, _camel(name), longest)
    for name, longest in (
        ("first_name", MAX_NAME_PART),
        ("last_name", MAX_NAME_PART),
        ("full_name", MAX_INDEXED_TEXT),
        ("address", MAX_TEXT),
        ("province", MAX_INDEXED_TEXT),
        ("district", MAX_INDEXED_TEXT),
        ("ward", MAX_TEXT),
    )
)
