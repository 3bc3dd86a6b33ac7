"""Subscribers: people who messaged a connected social page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.customer import Gender


class PageChannel(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    ZALO = "zalo"
    SHOPEE = "shopee"


class ConnectionState(StrEnum):
    CONNECTED = "connected"
    LOST = "lost"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class Page:
    shop_id: int
    id: int
    channel: PageChannel
    external_id: str
    name: str
    avatar_url: str | None
    connection_state: ConnectionState
    first_connected_at: datetime
    notice_dismissed: bool = False


@dataclass(frozen=True, slots=True)
class Subscriber:
    shop_id: int
    id: int
    page_id: int
    platform_user_id: str
    customer_id: int | None
    avatar_url: str | None
    subscribed: bool
    last_interaction_at: datetime | None
    signed_up_at: datetime
    first_name: str | None
    last_name: str | None
    full_name: str | None
    gender: Gender
    phone: str | None
    email: str | None
    store_name: str | None
    store_code: str | None
    customer_code: str | None
    customer_name: str | None
    last_source: str | None
    last_page_source: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None


@dataclass(frozen=True, slots=True)
class RefLinkOpen:
    """A tracked link of the chatbot the subscriber opened (SPEC S3)."""

    ref: str
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class OtnTopic:
    """A one-time-notification topic the subscriber agreed to receive."""

    topic: str
    subscribed_at: datetime


@dataclass(frozen=True, slots=True)
class CustomFieldValue:
    """The value of one of the shop's custom fields for a subscriber (SPEC S5)."""

    key: str
    label: str
    type: str
    text: str | None
    number: Decimal | None
    day: date | None

    @property
    def display(self) -> str | None:
        """The value as text whatever its type (numbers without trailing zeros, ISO dates)."""
        if self.number is not None:
            return format(self.number.normalize(), "f")
        if self.day is not None:
            return self.day.isoformat()
        return self.text
