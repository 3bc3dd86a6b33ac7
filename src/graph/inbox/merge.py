"""Switching merge mode and choosing the merged pages (SPEC C1, C11)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.errors import DomainError, NotFound
from domain.inbox import check_merge_selection, check_merge_switch, check_mergeable
from graph.context import Info
from graph.errors import UserError
from graph.inbox.settings import InboxSettings, inbox_settings
from graph.mutations import node_id, perform


@strawberry.input(description="Merge mode on or off, and which pages to merge.")
class InboxMergeModeSetInput:
    enabled: bool = strawberry.field(description="Switch the merged inbox on or off.")
    page_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="The pages to merge: 1 to 20 (more is LIMIT_EXCEEDED). Omit to keep the "
        "current choice.",
    )


@strawberry.type(description="Result of switching merge mode.")
class InboxMergeModeSetPayload:
    settings: InboxSettings | None = strawberry.field(description="The settings, on success.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type
class MergeMutation:
    @strawberry.mutation(
        description="Switch merge mode on or off and choose up to 20 pages (SPEC C1). Only the "
        "owner, social admin, chat staff, default and default-advanced roles may (SPEC C11); "
        "others get FORBIDDEN."
    )
    async def inbox_merge_mode_set(
        self, info: Info, input: InboxMergeModeSetInput
    ) -> InboxMergeModeSetPayload:
        viewer = info.context.viewer
        repo = info.context.repos.inbox

        async def run() -> None:
            check_merge_switch(viewer)
            chosen = None
            if input.page_ids is not None:
                ids = [
                    node_id(p, "Page", field=f"input.pageIds.{i}")
                    for i, p in enumerate(input.page_ids)
                ]
                chosen = check_merge_selection(ids, field="input.pageIds")
                found = await info.context.repos.pages.get_many(list(chosen))
                pages = [p for p in found if p is not None]
                if len(pages) < len(chosen):
                    raise NotFound("Some pages are not in this shop.", field="input.pageIds")
                check_mergeable([p.connection_state for p in pages], field="input.pageIds")
            elif input.enabled and not (await repo.merge_settings(viewer.staff_id))[1]:
                raise DomainError("Choose the pages to merge.", field="input.pageIds")
            await repo.set_merge(viewer.staff_id, enabled=input.enabled, page_ids=chosen)

        _, errors = await perform(info, run)
        settings = None if errors else await inbox_settings(info)
        return InboxMergeModeSetPayload(settings=settings, user_errors=errors)
