"""Reading segments and saved filters, and previewing a definition."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.segment import ListKind, built_in_filters, segment_list
from graph.context import Info
from graph.errors import bad_input
from graph.filters.inputs import GroupInput
from graph.filters.lists import to_condition_group
from graph.pagination import After, Connection, First, page_size
from graph.queries import list_page
from graph.segments.preview import PreviewPlan, SegmentPreview
from graph.segments.types import LIST_PROFILES, ListKindEnum, SavedFilter, Segment, segments
from infra import tables as t
from infra.repositories.segments import SavedFilterRepository

# Kept clauses (see infra.statements): the same object on every request.
_OF_LIST = {kind: t.segment.c.list == kind.value for kind in ListKind}


@strawberry.type
class SegmentQuery:
    @strawberry.field(description="Segments of the shop, newest first.")
    async def segments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        list: Annotated[
            ListKindEnum | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only the segments of this list."),
        ] = None,
    ) -> Connection[Segment]:
        where = _OF_LIST[ListKind(list)] if list is not None else None
        return await list_page(info, segments(info), Segment.from_domain, first, after, where)

    @strawberry.field(
        description="Evaluate a definition without saving it: count, first page, parts."
    )
    async def segment_preview(
        self,
        info: Info,
        definition: GroupInput,
        first: First = None,
        list: Annotated[
            ListKindEnum,  # type: ignore[valid-type]
            strawberry.argument(description="What the segment would hold."),
        ] = ListKind.CUSTOMERS,
    ) -> SegmentPreview:
        size = page_size(first, info.context.settings.max_page_size)
        try:
            kind = segment_list(ListKind(list), field="list")
        except DomainError as error:
            raise bad_input(error.message, field="list") from None
        now = info.context.now()
        group, parts, where = await to_condition_group(info, definition, LIST_PROFILES[kind], now)
        return SegmentPreview(size=size, plan=PreviewPlan(info, kind, group, parts, where, now))

    @strawberry.field(description="Built-in filters (L3) and the saved filters the caller may see.")
    async def saved_filters(
        self,
        info: Info,
        list: ListKindEnum | None = None,  # type: ignore[valid-type]
    ) -> list[SavedFilter]:
        staff = info.context.viewer.staff_id
        kind = ListKind(list) if list is not None else None
        found = [b for b in built_in_filters() if kind is None or b.list is kind]
        repo = SavedFilterRepository(info.context.session, info.context.shop_id)
        found += await info.context.once(("savedFilters", kind), lambda: repo.visible(kind, staff))
        return [SavedFilter.from_domain(s, staff) for s in found]
