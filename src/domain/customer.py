"""Commerce customers and their orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class Channel(StrEnum):
    WEB = "web"
    POS = "pos"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    ZALO = "zalo"
    SHOPEE = "shopee"
    TIKTOK = "tiktok"
    OTHER = "other"


OPTIONAL_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "birthday",
    "email",
    "email_normalized",
    "phone",
    "phone_normalized",
    "carrier",
    "address",
    "province",
    "district",
    "ward",
)
"""A customer's contact and profile columns that may be empty: a stored value stays until a
value replaces it (an upsert without one, or a merged customer's, leaves it as it is)."""


class Customer(NamedTuple):
    """A customer as the lists show it. A named tuple, immutable as the frozen dataclasses
    beside it, because a page makes fifty at a time: a frozen dataclass of these 21 fields
    takes about 3.9 µs to make (one ``object.__setattr__`` per field), a tuple 0.5 µs."""

    shop_id: int
    id: int
    external_id: str | None
    first_name: str | None
    last_name: str | None
    full_name: str | None
    gender: Gender
    birthday: date | None
    email: str | None
    phone: str | None
    phone_normalized: str | None
    carrier: str | None
    address: str | None
    province: str | None
    district: str | None
    ward: str | None
    created_at: datetime
    orders_count: int
    total_spent: Decimal
    last_order_at: datetime | None
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_sku: str
    product_name: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Order:
    shop_id: int
    id: int
    external_id: str | None
    customer_id: int
    channel: Channel
    store_code: str | None
    placed_at: datetime
    total_amount: Decimal
