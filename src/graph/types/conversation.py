"""Conversation threads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from domain import conversation as domain
from graph.context import Info
from graph.types.common import Node, resolve_many
from graph.types.customer import Customer
from graph.types.enums import PageChannel, ThreadKind
from graph.types.subscriber import Page, Subscriber
from graph.types.tag import Tag, tags


@strawberry.type(description="One conversation between a page and a person.")
class Thread(Node):
    id: relay.NodeID[int]
    channel: PageChannel = strawberry.field(description="Channel of the thread's page.")  # type: ignore[valid-type]
    kind: ThreadKind = strawberry.field(description="Private messages or comments.")  # type: ignore[valid-type]
    unread_count: int = strawberry.field(description="Messages not read by staff yet.")
    answered: bool = strawberry.field(description="Whether the shop answered the last message.")
    chatbot_paused: bool = strawberry.field(description="Whether the chatbot is paused here.")
    has_order: bool = strawberry.field(description="Whether an order came from this thread.")
    last_message_at: datetime = strawberry.field(description="Time of the newest message.")
    page_id: strawberry.Private[int]
    subscriber_id: strawberry.Private[int]
    customer_id: strawberry.Private[int | None]
    assigned_staff_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, t: domain.Thread) -> Thread:
        return cls(
            id=t.id,
            channel=t.channel,
            kind=t.kind,
            unread_count=t.unread_count,
            answered=t.answered,
            chatbot_paused=t.chatbot_paused,
            has_order=t.has_order,
            last_message_at=t.last_message_at,
            page_id=t.page_id,
            subscriber_id=t.subscriber_id,
            customer_id=t.customer_id,
            assigned_staff_id=t.assigned_staff_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Thread | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.thread_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The page the thread comes from (SPEC C8).")
    async def page(self, info: Info) -> Page:
        found = await Page.load(info, self.page_id)
        assert found is not None
        return found

    @strawberry.field(description="The person on the other side.")
    async def subscriber(self, info: Info) -> Subscriber:
        found = await Subscriber.load(info, self.subscriber_id)
        assert found is not None
        return found

    @strawberry.field(description="The commerce customer the thread resolved to, if any.")
    async def customer(self, info: Info) -> Customer | None:
        return await Customer.load(info, self.customer_id)

    @strawberry.field(description="Tags staff put on the thread.")
    async def tags(self, info: Info) -> list[Tag]:
        return tags(await info.context.loaders.tags_by_thread_id.load(self.id))
