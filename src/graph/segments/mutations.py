"""Creating, changing and deleting segments and saved filters."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.errors import DomainError
from domain.segment import ListKind, clean_name, not_your_filter, segment_list
from domain.segment import SavedFilter as DomainSavedFilter
from domain.segment import Segment as DomainSegment
from graph.context import Info
from graph.errors import UserError
from graph.filters.inputs import GroupInput
from graph.filters.lists import to_group
from graph.mutations import node_id, perform
from graph.segments.types import LIST_PROFILES, ListKindEnum, SavedFilter, Segment, segments
from graph.types.common import local_id
from infra.repositories.segments import SavedFilterRepository


@strawberry.input(description="A new segment.")
class SegmentCreateInput:
    name: str = strawberry.field(description="Unique name within the shop.")
    list: ListKindEnum = strawberry.field(  # type: ignore[valid-type]
        default=ListKind.CUSTOMERS,
        description="What it holds: `CUSTOMERS` or `SUBSCRIBERS` (S9: a subscriber filter "
        "saved as a segment). The definition's conditions are those of that list's `filter`; "
        "it cannot change later.",
    )
    definition: GroupInput = strawberry.field(description="Include and exclude blocks.")


@strawberry.input(description="Change a segment; omitted fields stay as they are.")
class SegmentUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The segment.")
    name: str | None = strawberry.field(default=None, description="New name.")
    definition: GroupInput | None = strawberry.field(
        default=None,
        description="New definition; the job worker then stores who it lets in and out, with "
        "their events (`membersPending` until it has).",
    )


@strawberry.input(description="Delete a segment.")
class SegmentDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The segment.")


@strawberry.input(description="Save a filter of a list.")
class SavedFilterCreateInput:
    list: ListKindEnum = strawberry.field(description="The list it filters.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="Name shown next to the list.")
    definition: GroupInput = strawberry.field(description="Include and exclude blocks.")
    shared: bool = strawberry.field(default=False, description="Visible to all staff.")


@strawberry.input(description="Change one of your saved filters; omitted fields stay as they are.")
class SavedFilterUpdateInput:
    id: strawberry.ID = strawberry.field(description="The saved filter (not a built-in).")
    name: str | None = strawberry.field(default=None, description="New name.")
    definition: GroupInput | None = strawberry.field(
        default=None, description="New definition, in the conditions of the filter's list."
    )
    shared: bool | None = strawberry.field(
        default=None, description="Visible to every staff member of the shop, or only to you."
    )


@strawberry.input(description="Delete one of your saved filters.")
class SavedFilterDeleteInput:
    id: strawberry.ID = strawberry.field(description="The saved filter.")


@strawberry.type(description="Result of a segment mutation.")
class SegmentPayload:
    segment: Segment | None = strawberry.field(description="The segment, unless refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="Result of a delete.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Id of what was deleted.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="Result of saving a filter.")
class SavedFilterPayload:
    saved_filter: SavedFilter | None = strawberry.field(description="The saved filter.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type
class SegmentMutation:
    @strawberry.mutation(description="Create a segment (S9, G1, G3).")
    async def segment_create(self, info: Info, input: SegmentCreateInput) -> SegmentPayload:
        async def act() -> DomainSegment:
            name = clean_name(input.name)
            kind = segment_list(ListKind(input.list))
            group = await to_group(info, input.definition, "input.definition", LIST_PROFILES[kind])
            return await segments(info).create(
                name=name,
                list_kind=kind,
                group=group,
                staff_id=info.context.viewer.staff_id,
                now=info.context.now(),
            )

        result, errors = await perform(info, act)
        return SegmentPayload(
            segment=Segment.from_domain(result) if result else None, user_errors=errors
        )

    @strawberry.mutation(description="Rename a segment or change its definition.")
    async def segment_update(self, info: Info, input: SegmentUpdateInput) -> SegmentPayload:
        async def act() -> DomainSegment:
            segment_id = node_id(input.id, "Segment", field="input.id")
            name = clean_name(input.name) if input.name is not None else None
            group = None
            if input.definition is not None:
                current = await segments(info).one(segment_id, field="input.id")
                profile = LIST_PROFILES[current.list]
                group = await to_group(info, input.definition, "input.definition", profile)
            return await segments(info).update(
                segment_id, name=name, group=group, now=info.context.now()
            )

        result, errors = await perform(info, act)
        return SegmentPayload(
            segment=Segment.from_domain(result) if result else None, user_errors=errors
        )

    @strawberry.mutation(description="Delete a segment.")
    async def segment_delete(self, info: Info, input: SegmentDeleteInput) -> DeletePayload:
        async def act() -> strawberry.ID:
            await segments(info).delete(node_id(input.id, "Segment", field="input.id"))
            return strawberry.ID(str(input.id))

        result, errors = await perform(info, act)
        return DeletePayload(deleted_id=result, user_errors=errors)

    @strawberry.mutation(description="Save a filter next to the built-in ones (L6).")
    async def saved_filter_create(
        self, info: Info, input: SavedFilterCreateInput
    ) -> SavedFilterPayload:
        staff = info.context.viewer.staff_id

        async def act() -> DomainSavedFilter:
            kind = ListKind(input.list)
            name = clean_name(input.name)
            group = await to_group(info, input.definition, "input.definition", LIST_PROFILES[kind])
            repo = SavedFilterRepository(info.context.session, info.context.shop_id)
            return await repo.create(
                list_kind=kind, name=name, group=group, staff_id=staff, shared=input.shared
            )

        result, errors = await perform(info, act)
        return SavedFilterPayload(
            saved_filter=SavedFilter.from_domain(result, staff) if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Rename one of your saved filters, change its definition or who sees it "
        "(built-ins and others' filters cannot be changed)."
    )
    async def saved_filter_update(
        self, info: Info, input: SavedFilterUpdateInput
    ) -> SavedFilterPayload:
        staff = info.context.viewer.staff_id

        async def act() -> DomainSavedFilter:
            saved_id = _own_filter_id(input.id, "changed")
            name = clean_name(input.name) if input.name is not None else None
            repo = SavedFilterRepository(info.context.session, info.context.shop_id)
            group = None
            if input.definition is not None:
                current = await repo.own(saved_id, staff)
                profile = LIST_PROFILES[current.list]
                group = await to_group(info, input.definition, "input.definition", profile)
            return await repo.update(saved_id, staff, name=name, group=group, shared=input.shared)

        result, errors = await perform(info, act)
        return SavedFilterPayload(
            saved_filter=SavedFilter.from_domain(result, staff) if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Delete one of your saved filters (built-ins cannot be deleted)."
    )
    async def saved_filter_delete(self, info: Info, input: SavedFilterDeleteInput) -> DeletePayload:
        async def act() -> strawberry.ID:
            saved_id = _own_filter_id(input.id, "deleted")
            repo = SavedFilterRepository(info.context.session, info.context.shop_id)
            await repo.delete(saved_id, info.context.viewer.staff_id)
            return input.id

        result, errors = await perform(info, act)
        return DeletePayload(deleted_id=result, user_errors=errors)


def _own_filter_id(given: strawberry.ID, done: str) -> int:
    """The row id of a saved filter's id; a built-in's (`built-in:<key>`) is refused."""
    text = str(given)
    if text.startswith("built-in:"):
        raise DomainError(f"Built-in filters cannot be {done}.", field="input.id")
    saved_id = local_id(text)
    if saved_id is None:
        raise not_your_filter()
    return saved_id
