"""The merged inbox: rows by person, their threads and tags, and its filter (SPEC C2–C9)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry import relay

from domain.conversation import Thread as DomainThread
from domain.conversation import ThreadKind as DomainThreadKind
from domain.errors import DomainError
from domain.inbox import FIRST_THREADS, MORE_THREADS, InboxFilter, RowPosition
from domain.subscriber import PageChannel as DomainPageChannel
from domain.tag import unique_by_name
from graph.context import Info
from graph.dataloaders.inbox import RowLoaders
from graph.errors import bad_input
from graph.mutations import node_ids
from graph.pagination import Connection, connection, decode_cursor, wants_items
from graph.types.conversation import Thread
from graph.types.customer import Customer
from graph.types.enums import PageChannel, ThreadKind
from graph.types.tag import Tag
from infra.repositories.inbox import InboxScope


@strawberry.input(
    description="Inbox filters (SPEC C7); the given ones combine with AND. A boolean "
    "condition selects when true or false and is ignored when null."
)
class InboxFilterInput:
    channels: list[PageChannel] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Threads of any of these channels."
    )
    tag_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Threads carrying any of these tags (see `inboxTags`)."
    )
    page_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Threads of any of these pages."
    )
    kind: ThreadKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="MESSAGE for messages only, COMMENT for comments only."
    )
    unread: bool | None = strawberry.field(default=None, description="Threads with new messages.")
    unanswered: bool | None = strawberry.field(
        default=None, description="Threads whose last message the shop did not answer."
    )
    has_phone: bool | None = strawberry.field(
        default=None, description="Threads where the person shared a phone number."
    )
    has_order: bool | None = strawberry.field(
        default=None, description="Threads an order came from."
    )
    assigned_staff_ids: list[int] | None = strawberry.field(
        default=None, description="Threads assigned to any of these staff members."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Last message at or after this time."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Last message before this time."
    )

    def to_domain(self) -> InboxFilter:
        def ids(
            values: list[relay.GlobalID] | None, name: str, field: str
        ) -> tuple[int, ...] | None:
            return None if values is None else tuple(node_ids(values, name, field=field))

        return InboxFilter(
            channels=None
            if self.channels is None
            else tuple(DomainPageChannel(c) for c in self.channels),
            tag_ids=ids(self.tag_ids, "Tag", "filter.tagIds"),
            page_ids=ids(self.page_ids, "Page", "filter.pageIds"),
            kind=None if self.kind is None else DomainThreadKind(self.kind),
            unread=self.unread,
            unanswered=self.unanswered,
            has_phone=self.has_phone,
            has_order=self.has_order,
            assigned_staff_ids=None
            if self.assigned_staff_ids is None
            else tuple(self.assigned_staff_ids),
            since=self.since,
            until=self.until,
        )


def decode_position(cursor: str | None, *, field: str) -> RowPosition | None:
    if cursor is None:
        return None
    position = RowPosition.decode(decode_cursor(cursor, field=field))
    if position is None:
        raise bad_input("Not a cursor of this list: pass an `endCursor` from a page.", field=field)
    return position


@strawberry.type(
    description="One person in the inbox: their threads across the merged pages, grouped when "
    "they resolve to the same customer (SPEC C2)."
)
class InboxRow:
    key: str = strawberry.field(
        description="Stable key of the person: `c<customer id>`, or `t<thread id>` for a "
        "thread resolved to no customer."
    )
    last_message_at: datetime = strawberry.field(description="Time of the newest thread (SPEC C4).")
    person_key: strawberry.Private[int]
    customer_id: strawberry.Private[int | None]
    scope: strawberry.Private[InboxScope]

    def _loaders(self, info: Info) -> RowLoaders:
        return info.context.loaders.inbox.rows(self.scope)

    @strawberry.field(description="How many threads have new messages (SPEC C4).")
    async def unread_thread_count(self, info: Info) -> int:
        return (await self._loaders(info).summary_by_person.load(self.person_key)).unread_threads

    @strawberry.field(description="How many threads the row groups.")
    async def thread_count(self, info: Info) -> int:
        return (await self._loaders(info).summary_by_person.load(self.person_key)).thread_count

    @strawberry.field(
        description="True when the chatbot is paused in any of the row's threads (SPEC C6)."
    )
    async def chatbot_paused(self, info: Info) -> bool:
        return (await self._loaders(info).summary_by_person.load(self.person_key)).paused

    @strawberry.field(description="Avatar from Facebook, else Zalo, else any channel (SPEC C9).")
    async def avatar_url(self, info: Info) -> str | None:
        return (await self._loaders(info).summary_by_person.load(self.person_key)).avatar_url

    @strawberry.field(description="The commerce customer the threads resolved to, if any.")
    async def customer(self, info: Info) -> Customer | None:
        return await Customer.load(info, self.customer_id)

    @strawberry.field(
        description="Tags of the 3 newest threads, each name once across pages (SPEC C5); "
        "`all: true` gives the tags of every thread of the row."
    )
    async def tags(self, info: Info, all: bool = False) -> list[Tag]:
        loaders = self._loaders(info)
        if all:
            found = await loaders.tags_by_person.load(self.person_key)
        else:
            newest = await loaders.newest_threads_by_person.load(self.person_key)
            per_thread = await info.context.loaders.tags_by_thread_id.load_many(
                [th.id for th in newest[:FIRST_THREADS]]
            )
            found = [tag for tags in per_thread for tag in tags]
        return [Tag.from_domain(tag) for tag in unique_by_name(found)]

    @strawberry.field(
        description="The row's threads, newest first: the 3 newest by default (SPEC C3), then "
        "pages of at most 30 with `after`."
    )
    async def threads(
        self, info: Info, first: int = FIRST_THREADS, after: str | None = None
    ) -> Connection[Thread]:
        if first < 0 or first > MORE_THREADS:
            raise bad_input(f"`first` must be between 0 and {MORE_THREADS}.", field="first")
        position = decode_position(after, field="after")
        items: Sequence[DomainThread]
        if not wants_items(info):  # a count alone reads no threads
            items, has_next = [], False
        elif position is None and first <= FIRST_THREADS:
            newest = await self._loaders(info).newest_threads_by_person.load(self.person_key)
            items, has_next = newest[:first], len(newest) > first
        else:
            page = await info.context.repos.inbox.thread_page(
                self.scope, self.person_key, first=first, after=position
            )
            items, has_next = page.items, page.has_next

        async def count() -> int:
            summary = await self._loaders(info).summary_by_person.load(self.person_key)
            return summary.thread_count

        return connection(
            [Thread.from_domain(th) for th in items],
            keys=[RowPosition(th.last_message_at, th.id).encode() for th in items],
            has_next=has_next,
            has_previous=after is not None,
            count=count,
        )


def person_key_name(person_key: int) -> str:
    return f"c{person_key}" if person_key > 0 else f"t{-person_key}"


def inbox_filter(value: InboxFilterInput | None) -> InboxFilter:
    try:
        return InboxFilter() if value is None else value.to_domain()
    except DomainError as error:
        raise bad_input(error.message, field=error.field or "filter") from error
