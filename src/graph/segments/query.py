"""Reading segments and saved filters, and previewing a definition."""

from __future__ import annotations

import strawberry

from domain.segment import ListKind, built_in_filters
from graph.context import Info
from graph.filters.inputs import GroupInput
from graph.filters.lists import to_condition_group
from graph.pagination import After, Connection, First, page_size
from graph.queries import list_page
from graph.segments.preview import PreviewPlan, SegmentPreview
from graph.segments.types import ListKindEnum, SavedFilter, Segment, segments
from infra.repositories.segments import SavedFilterRepository


@strawberry.type
class SegmentQuery:
    @strawberry.field(description="Segments of the shop, newest first.")
    async def segments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Segment]:
        return await list_page(info, segments(info), Segment.from_domain, first, after)

    @strawberry.field(
        description="Evaluate a definition without saving it: count, first page, parts."
    )
    async def segment_preview(
        self, info: Info, definition: GroupInput, first: First = None
    ) -> SegmentPreview:
        size = page_size(first, info.context.settings.max_page_size)
        group, parts = await to_condition_group(info, definition)
        return SegmentPreview(size=size, plan=PreviewPlan(info, group, list(parts)))

    @strawberry.field(description="Built-in filters (L3) and the saved filters the caller may see.")
    async def saved_filters(
        self,
        info: Info,
        list: ListKindEnum | None = None,  # type: ignore[valid-type]
    ) -> list[SavedFilter]:
        staff = info.context.viewer.staff_id
        kind = ListKind(list) if list is not None else None
        found = [b for b in built_in_filters() if kind is None or b.list is kind]
        found += await SavedFilterRepository(info.context.session, info.context.shop_id).visible(
            kind, staff
        )
        return [SavedFilter.from_domain(s, staff) for s in found]
