"""Subscribers: people who messaged a connected social page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
