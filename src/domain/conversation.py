"""Conversation threads between a page and a person, and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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
