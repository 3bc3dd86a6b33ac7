"""Conversation threads between a page and a person, and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from domain.errors import DomainError, shown
from domain.subscriber import PageChannel


class ThreadKind(StrEnum):
    MESSAGE = "message"
    COMMENT = "comment"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    EMOJI = "emoji"
    STICKER = "sticker"
    FILE = "file"


LINKED_TYPES = frozenset({MessageType.IMAGE, MessageType.FILE})
"""Replies whose body is the URL of what is sent."""


def check_reply_body(kind: MessageType, body: str, field: str) -> str:
    """An image or file is sent from where it is: an absolute http(s) URL the platform can
    fetch. Another scheme (`javascript:`, `data:`, `file:`) would be stored as a link that
    every staff member's inbox shows."""
    if kind in LINKED_TYPES:
        parts = urlsplit(body)
        if (
            parts.scheme not in ("https", "http")
            or not parts.netloc
            or any(c.isspace() or not c.isprintable() for c in body)
        ):
            raise DomainError(
                f"The body of an {kind.value} reply is its URL, such as "
                f"https://cdn.example.vn/anh.jpg; got {shown(body)}.",
                field=field,
            )
    return body


@dataclass(frozen=True, slots=True)
class Thread:
    shop_id: int
    id: int
    page_id: int
    channel: PageChannel
    kind: ThreadKind
    subscriber_id: int
    customer_id: int | None
    unread_count: int
    answered: bool
    assigned_staff_id: int | None
    chatbot_paused: bool
    has_order: bool
    last_message_at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    shop_id: int
    id: int
    thread_id: int
    direction: Direction
    type: MessageType
    body: str | None
    sent_at: datetime
