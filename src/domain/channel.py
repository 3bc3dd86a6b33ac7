"""What each social channel lets staff do in a thread (SPEC C10), as data."""

from __future__ import annotations

from dataclasses import dataclass

from domain.conversation import MessageType
from domain.errors import DomainError, ErrorCode
from domain.subscriber import PageChannel


@dataclass(frozen=True, slots=True)
class ChannelCapabilities:
    message_types: frozenset[MessageType]
    can_create_order: bool
    syncs_customer_details: bool


_ALL_TYPES = frozenset(MessageType)

CAPABILITIES: dict[PageChannel, ChannelCapabilities] = {
    PageChannel.FACEBOOK: ChannelCapabilities(_ALL_TYPES, True, True),
    PageChannel.INSTAGRAM: ChannelCapabilities(_ALL_TYPES, True, True),
    PageChannel.ZALO: ChannelCapabilities(_ALL_TYPES, True, True),
    PageChannel.SHOPEE: ChannelCapabilities(
        frozenset({MessageType.TEXT, MessageType.IMAGE, MessageType.EMOJI}), False, False
    ),
}


def capabilities(channel: PageChannel) -> ChannelCapabilities:
    return CAPABILITIES[channel]


def check_message_type(channel: PageChannel, kind: MessageType, *, field: str) -> None:
    allowed = capabilities(channel).message_types
    if kind not in allowed:
        names = ", ".join(sorted(t.value for t in allowed))
        raise DomainError(
            f"{channel.value} threads accept only these message types: {names}.",
            code=ErrorCode.UNSUPPORTED_BY_CHANNEL,
            field=field,
        )


def check_order_creation(channel: PageChannel, *, field: str) -> None:
    if not capabilities(channel).can_create_order:
        raise DomainError(
            f"Orders cannot be created from a {channel.value} thread; create it in the shop.",
            code=ErrorCode.UNSUPPORTED_BY_CHANNEL,
            field=field,
        )


def check_customer_sync(channel: PageChannel, *, field: str) -> None:
    if not capabilities(channel).syncs_customer_details:
        raise DomainError(
            f"{channel.value} does not share customer details; edit the customer by hand.",
            code=ErrorCode.UNSUPPORTED_BY_CHANNEL,
            field=field,
        )
