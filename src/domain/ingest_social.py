"""Subscriber, thread and message items of partner batches, and their validation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.conversation import Direction, MessageType, ThreadKind
from domain.custom_fields import CustomFieldItem
from domain.customer import Gender
from domain.errors import DomainError, ErrorCode
from domain.ingest import (
    MAX_INDEXED_TEXT,
    MAX_TEXT,
    aware,
    external_id,
    normalize_email,
    optional_text,
    required_code,
)
from domain.ingest_commerce import normalize_phone_field
from domain.subscriber import PageChannel

MAX_BODY = 20_000
MAX_TOPICS = 50
MAX_TOPIC = 200
# C10: Shopee chat carries only text, images and emoji.
SHOPEE_MESSAGE_TYPES = frozenset({MessageType.TEXT, MessageType.IMAGE, MessageType.EMOJI})


@dataclass(frozen=True, slots=True)
class SubscriberItem:
    """A person who messaged a page; absent (None) fields keep what is stored."""

    external_id: str
    page_external_id: str
    platform_user_id: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    gender: Gender | None = None
    phone: str | None = None
    email: str | None = None
    avatar_url: str | None = None
    subscribed: bool | None = None
    last_interaction_at: datetime | None = None
    signed_up_at: datetime | None = None
    store_name: str | None = None
    store_code: str | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    last_source: str | None = None
    last_page_source: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    custom_fields: tuple[CustomFieldItem, ...] | None = None
    """Values of the shop's custom fields by key; fields not listed keep their value."""
    otn_topics: tuple[str, ...] | None = None
    """Every one-time-notification topic the person is subscribed to now; None keeps them."""


SOURCE_FIELDS = {
    "store_name": "storeName",
    "store_code": "storeCode",
    "customer_code": "customerCode",
    "customer_name": "customerName",
    "last_source": "lastSource",
    "last_page_source": "lastPageSource",
    "utm_source": "utmSource",
    "utm_medium": "utmMedium",
    "utm_campaign": "utmCampaign",
}
"""What the chatbot records of where a person came from (the store whose QR code was scanned,
the codes given, the last source and page, the UTM values of the cookie): the subscriber
filters' "additional information"; the item's field name and its input name."""


INDEXED_SOURCES = {"utm_campaign": MAX_INDEXED_TEXT}
"""Source fields kept folded in a btree index, and their length."""


@dataclass(frozen=True, slots=True)
class SubscriberRecord:
    item: SubscriberItem
    phone_normalized: str | None
    email_normalized: str | None


def validate_subscriber(item: SubscriberItem) -> SubscriberRecord:
    psid = required_code(item.platform_user_id, "platformUserId", "The person's id on the platform")
    for name, field in (("full_name", "fullName"), ("avatar_url", "avatarUrl")):
        optional_text(getattr(item, name), field)
    aware(item.last_interaction_at, "lastInteractionAt")
    aware(item.signed_up_at, "signedUpAt")
    sources: dict[str, Any] = {
        name: optional_text(getattr(item, name), field, INDEXED_SOURCES.get(name, MAX_TEXT))
        for name, field in SOURCE_FIELDS.items()
    }
    return SubscriberRecord(
        item=replace(
            item,
            **sources,
            otn_topics=otn_topics(item.otn_topics),
            external_id=external_id(item.external_id),
            page_external_id=external_id(item.page_external_id, "pageExternalId"),
            platform_user_id=psid,
        ),
        phone_normalized=normalize_phone_field(item.phone),
        email_normalized=normalize_email(item.email),
    )


def otn_topics(topics: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The topics trimmed, each once, in the order given; a blank or overlong one is refused."""
    if topics is None:
        return None
    if len(topics) > MAX_TOPICS:
        raise DomainError(f"At most {MAX_TOPICS} OTN topics.", field="otnTopics")
    cleaned: dict[str, None] = {}
    for i, topic in enumerate(topics):
        value = topic.strip()
        if not value or len(value) > MAX_TOPIC:
            raise DomainError(
                f"An OTN topic has 1 to {MAX_TOPIC} characters.", field=f"otnTopics.{i}"
            )
        cleaned[value] = None
    return tuple(cleaned)


@dataclass(frozen=True, slots=True)
class ThreadItem:
    external_id: str
    subscriber_external_id: str
    last_message_at: datetime
    kind: ThreadKind = ThreadKind.MESSAGE
    unread_count: int | None = None
    answered: bool | None = None


def validate_thread(item: ThreadItem) -> ThreadItem:
    aware(item.last_message_at, "lastMessageAt")
    if item.unread_count is not None and item.unread_count < 0:
        raise DomainError("The unread count cannot be negative.", field="unreadCount")
    return replace(
        item,
        external_id=external_id(item.external_id),
        subscriber_external_id=external_id(item.subscriber_external_id, "subscriberExternalId"),
    )


@dataclass(frozen=True, slots=True)
class MessageItem:
    external_id: str
    thread_external_id: str
    direction: Direction
    sent_at: datetime
    type: MessageType = MessageType.TEXT
    body: str | None = None


def validate_message(item: MessageItem) -> MessageItem:
    aware(item.sent_at, "sentAt")
    if item.body is not None and len(item.body) > MAX_BODY:
        raise DomainError(f"A message has at most {MAX_BODY} characters.", field="body")
    return replace(
        item,
        external_id=external_id(item.external_id),
        thread_external_id=external_id(item.thread_external_id, "threadExternalId"),
    )


def check_channel_allows(channel: PageChannel, type: MessageType) -> None:
    if channel is PageChannel.SHOPEE and type not in SHOPEE_MESSAGE_TYPES:
        raise DomainError(
            f"Shopee threads accept only text, image and emoji messages, not {type.value}.",
            code=ErrorCode.UNSUPPORTED_BY_CHANNEL,
            field="type",
        )
