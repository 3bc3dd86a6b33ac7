"""The caller's inbox settings: merge mode, merged pages, what they may do (SPEC C1, C11, C13)."""

from __future__ import annotations

import strawberry

from domain.inbox import MAX_MERGED_PAGES, introduction
from graph.context import Info
from graph.types.subscriber import Page
from infra.repositories.inbox import InboxRepository
from infra.repositories.pages import PageAdmin


@strawberry.type(description="The caller's inbox settings and what their role lets them do.")
class InboxSettings:
    merge_mode: bool = strawberry.field(description="Whether the merged inbox is on (SPEC C1).")
    can_switch_merge_mode: bool = strawberry.field(
        description="Whether the caller's role may switch merge mode; when false the action "
        "is not offered (SPEC C11)."
    )
    can_manage_page_connection: bool = strawberry.field(
        description="Whether the caller may reconnect or disconnect pages; every role may "
        "dismiss the notice (SPEC C13)."
    )
    max_merged_pages: int = strawberry.field(description="How many pages may be merged (20).")
    introduction: bool = strawberry.field(
        description="True when no page is connected (all disconnected or none): the account "
        "shows the introduction screen (SPEC C13)."
    )
    merged_page_ids: strawberry.Private[list[int]]

    @strawberry.field(description="The pages merged into the caller's inbox.")
    async def merged_pages(self, info: Info) -> list[Page]:
        found = await info.context.loaders.page_by_id.load_many(self.merged_page_ids)
        return [Page.from_domain(p) for p in found if p is not None]


async def inbox_settings(info: Info) -> InboxSettings:
    viewer = info.context.viewer
    merge_mode, pages = await InboxRepository(info.context.session, viewer.shop_id).merge_settings(
        viewer.staff_id
    )
    states = await PageAdmin(info.context.session, viewer.shop_id).states()
    return InboxSettings(
        merge_mode=merge_mode,
        can_switch_merge_mode=viewer.can_switch_merge_mode,
        can_manage_page_connection=viewer.can_manage_page_connection,
        max_merged_pages=MAX_MERGED_PAGES,
        introduction=introduction(states),
        merged_page_ids=pages,
    )
