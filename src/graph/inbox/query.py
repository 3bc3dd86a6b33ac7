"""Root query fields of the inbox area: settings, the merged inbox and its tag list."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.errors import DomainError
from domain.inbox import InboxRow as DomainInboxRow
from domain.inbox import RowPosition
from graph.context import Info
from graph.errors import bad_input
from graph.inbox.rows import (
    InboxFilterInput,
    InboxRow,
    decode_position,
    inbox_filter,
    person_key_name,
)
from graph.inbox.settings import InboxSettings, inbox_settings
from graph.inbox.threads import ChannelCapabilities, channel_capabilities
from graph.mutations import node_id
from graph.pagination import Connection, connection, page_size, wants_items
from graph.types.subscriber import Page
from graph.types.tag import Tag
from infra.repositories.base import Page as RowsPage
from infra.repositories.inbox import InboxScope

DEFAULT_ROWS = 30


@strawberry.type(description="The tags of one page, for the inbox's tag filter (SPEC C7).")
class PageTags:
    page: Page = strawberry.field(description="The page.")
    tags: list[Tag] = strawberry.field(description="Its tags, by name.")


async def _scope(
    info: Info, page_id: relay.GlobalID | None, filter: InboxFilterInput | None
) -> InboxScope:
    chosen = inbox_filter(filter)
    if page_id is not None:
        try:
            return InboxScope((node_id(page_id, "Page", field="pageId"),), chosen)
        except DomainError as error:
            raise bad_input(error.message, field="pageId") from error
    merge_mode, merged = await info.context.repos.inbox.merge_settings(info.context.viewer.staff_id)
    if not merge_mode:
        raise bad_input(
            "Merge mode is off: pass `pageId` for the inbox of one page, or switch merge mode "
            "on with `inboxMergeModeSet`.",
            field="pageId",
        )
    return InboxScope(tuple(merged), chosen)


@strawberry.type
class InboxQuery:
    @strawberry.field(description="The caller's inbox settings: merge mode and permissions.")
    async def inbox_settings(self, info: Info) -> InboxSettings:
        return await info.context.once("inboxSettings", lambda: inbox_settings(info))

    @strawberry.field(description="What staff can do in threads of each channel (SPEC C10).")
    def channel_capabilities(self) -> list[ChannelCapabilities]:
        return channel_capabilities()

    @strawberry.field(
        description="The inbox: one row per person, newest activity first (SPEC C2–C9). "
        "Without `pageId` it merges the caller's merged pages (merge mode must be on); with it, "
        "it shows that page. Rows default to 30 per page."
    )
    async def inbox(
        self,
        info: Info,
        page_id: relay.GlobalID | None = None,
        filter: InboxFilterInput | None = None,
        first: int | None = DEFAULT_ROWS,
        after: str | None = None,
    ) -> Connection[InboxRow]:
        size = page_size(first, info.context.settings.max_page_size)
        position = decode_position(after, field="after")
        scope = await _scope(info, page_id, filter)
        repo = info.context.repos.inbox
        page: RowsPage[DomainInboxRow] = RowsPage([], has_next=False)
        if wants_items(info):  # a count alone reads no page
            page = await repo.rows(scope, first=size, after=position)

        async def count() -> int:
            return await repo.row_count(scope)

        return connection(
            [
                InboxRow(
                    key=person_key_name(row.person_key),
                    last_message_at=row.last_message_at,
                    person_key=row.person_key,
                    customer_id=row.customer_id,
                    scope=scope,
                )
                for row in page.items
            ],
            keys=[RowPosition(r.last_message_at, r.newest_thread_id).encode() for r in page.items],
            has_next=page.has_next,
            has_previous=after is not None,
            count=count,
        )

    @strawberry.field(
        description="Tags of the merged pages (or, with merge mode off, of every page on the "
        "account), grouped by page, for the tag filter (SPEC C7)."
    )
    async def inbox_tags(self, info: Info) -> list[PageTags]:
        return await info.context.once("inboxTags", lambda: _inbox_tags(info))


async def _inbox_tags(info: Info) -> list[PageTags]:
    repo = info.context.repos.inbox
    merge_mode, merged = await repo.merge_settings(info.context.viewer.staff_id)
    page_ids = merged if merge_mode else await repo.page_ids()
    pages = await info.context.loaders.page_by_id.load_many(page_ids)
    tags = await repo.tags_of_pages(page_ids)
    return [
        PageTags(
            page=Page.from_domain(page),
            tags=[Tag.from_domain(tag) for tag in tags if tag.page_id == page.id],
        )
        for page in pages
        if page is not None
    ]
