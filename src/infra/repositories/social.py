"""Pages, subscribers, tags and threads as the foundation lists show them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row

from domain.conversation import Direction, Message, MessageType, Thread, ThreadKind
from domain.customer import Gender
from domain.subscriber import ConnectionState, Page, PageChannel, Subscriber
from domain.tag import Tag, TagFolder
from infra import tables as t
from infra.repositories.base import TableRepository, grouped


class PageRepository(TableRepository[Page]):
    table = t.page
    noun = "page"

    def to_domain(self, row: Row[Any]) -> Page:
        m = row._mapping
        return Page(
            **{k: m[k] for k in ("shop_id", "id", "external_id", "name", "avatar_url")},
            channel=PageChannel(m["channel"]),
            connection_state=ConnectionState(m["connection_state"]),
            first_connected_at=m["first_connected_at"],
            notice_dismissed=m["notice_dismissed"],
        )


_SUBSCRIBER_FIELDS = [
    "shop_id",
    "id",
    "page_id",
    "platform_user_id",
    "customer_id",
    "avatar_url",
    "subscribed",
    "last_interaction_at",
    "signed_up_at",
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "email",
    "store_name",
    "store_code",
    "customer_code",
    "customer_name",
    "last_source",
    "last_page_source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
]


class SubscriberRepository(TableRepository[Subscriber]):
    table = t.subscriber

    def to_domain(self, row: Row[Any]) -> Subscriber:
        m = row._mapping
        return Subscriber(**{k: m[k] for k in _SUBSCRIBER_FIELDS}, gender=Gender(m["gender"]))


class TagFolderRepository(TableRepository[TagFolder]):
    table = t.tag_folder
    noun = "tag folder"

    def to_domain(self, row: Row[Any]) -> TagFolder:
        m = row._mapping
        return TagFolder(**{k: m[k] for k in ("shop_id", "id", "page_id", "name", "position")})


class TagRepository(TableRepository[Tag]):
    table = t.tag
    noun = "tag"

    def to_domain(self, row: Row[Any]) -> Tag:
        m = row._mapping
        return Tag(**{k: m[k] for k in ("shop_id", "id", "page_id", "folder_id", "name", "color")})

    async def for_owners(
        self, tagging: Any, owner_column: str, owner_ids: Sequence[int]
    ) -> list[list[Tag]]:
        """Tags of each owner (customer, subscriber or thread), aligned to ``owner_ids``."""
        if not owner_ids:
            return []
        owner = tagging.c[owner_column]
        rows = await self.session.execute(
            select(owner.label("owner_id"), t.tag)
            .join(t.tag, (t.tag.c.shop_id == tagging.c.shop_id) & (t.tag.c.id == tagging.c.tag_id))
            .where(tagging.c.shop_id == self.shop_id, owner.in_(owner_ids))
            .order_by(owner, t.tag.c.name)
        )
        return grouped(owner_ids, rows, lambda r: r.owner_id, self.to_domain)

    async def for_customers(self, customer_ids: Sequence[int]) -> list[list[Tag]]:
        """Commerce tags of each customer, aligned to ``customer_ids``."""
        return await self.for_owners(t.customer_tag, "customer_id", customer_ids)


_THREAD_FIELDS = [
    "shop_id",
    "id",
    "page_id",
    "subscriber_id",
    "customer_id",
    "unread_count",
    "answered",
    "assigned_staff_id",
    "chatbot_paused",
    "has_order",
    "last_message_at",
]


class ThreadRepository(TableRepository[Thread]):
    table = t.thread
    noun = "thread"

    def to_domain(self, row: Row[Any]) -> Thread:
        m = row._mapping
        return Thread(
            **{k: m[k] for k in _THREAD_FIELDS},
            channel=PageChannel(m["channel"]),
            kind=ThreadKind(m["kind"]),
        )


class MessageRepository(TableRepository[Message]):
    table = t.message

    def to_domain(self, row: Row[Any]) -> Message:
        m = row._mapping
        return Message(
            **{k: m[k] for k in ("shop_id", "id", "thread_id", "body", "sent_at")},
            direction=Direction(m["direction"]),
            type=MessageType(m["type"]),
        )
