"""Segments (G1, G3, S9, X3) and saved filters (L3, L6): queries, preview and mutations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import cast

import strawberry
from sqlalchemy import ColumnElement
from strawberry import relay
from strawberry.scalars import JSON

from domain import filters as f
from domain.errors import DomainError
from domain.filter_codec import group_to_json
from domain.filters import Profile
from domain.segment import ListKind, built_in_filters, clean_name
from domain.segment import SavedFilter as DomainSavedFilter
from domain.segment import Segment as DomainSegment
from graph.context import Info
from graph.errors import UserError
from graph.filters.inputs import GroupInput
from graph.filters.lists import converter, filters, to_condition_group, to_group
from graph.mutations import node_id, perform
from graph.pagination import After, Connection, First, page_size
from graph.queries import list_page
from graph.types.common import Node, local_id
from graph.types.common import node_ids as common_node_ids
from graph.types.customer import Customer, preload_tags
from infra import tables as t
from infra.repositories.segments import SavedFilterRepository, SegmentRepository, counts

ListKindEnum = strawberry.enum(ListKind, name="ListKind", description="A filterable list.")
_PROFILE = {
    ListKind.CUSTOMERS: Profile.CUSTOMER,
    ListKind.MEMBERS: Profile.MEMBER,
    ListKind.SUBSCRIBERS: Profile.SUBSCRIBER,
}


def segments(info: Info) -> SegmentRepository:
    return SegmentRepository(info.context.session, info.context.shop_id)


async def _members(
    info: Info, group: f.Group, first: int | None, after: str | None
) -> Connection[Customer]:
    where = await filters(info).where(Profile.CUSTOMER, group.condition(), info.context.now())
    page = await list_page(
        info,
        info.context.repos.customers,
        lambda c: Customer.from_domain(c, info),
        first,
        after,
        where,
    )
    await preload_tags(info, [edge.node for edge in page.edges])
    return page


@strawberry.type(description="A saved customer group whose members are evaluated live.")
class Segment(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name of the segment.")
    definition: JSON = strawberry.field(
        description="The stored definition (versioned JSON of include / exclude blocks)."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    group: strawberry.Private[f.Group]

    @classmethod
    def from_domain(cls, s: DomainSegment) -> Segment:
        return cls(
            id=s.id,
            name=s.name,
            definition=cast(JSON, group_to_json(s.group)),
            created_at=s.created_at,
            updated_at=s.updated_at,
            group=s.group,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Segment | None]:
        found = await segments(info).get_many(common_node_ids(node_ids))
        return [cls.from_domain(s) if s is not None else None for s in found]

    @strawberry.field(description="How many customers are in the segment now.")
    async def member_count(self, info: Info) -> int:
        where = await filters(info).where(
            Profile.CUSTOMER, self.group.condition(), info.context.now()
        )
        return await info.context.repos.customers.count(where)

    @strawberry.field(description="The customers in the segment now, newest first.")
    async def members(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Customer]:
        return await _members(info, self.group, first, after)


@strawberry.type(description="How many customers one part of a definition matches on its own.")
class PartCount:
    field: str = strawberry.field(description="Path of the condition or block in the input.")
    count: int = strawberry.field(
        description="Include conditions: customers it matches alone. Exclude blocks: customers "
        "of the include side it removes."
    )


class _PreviewPlan:
    """What a preview evaluates, each statement run only once and only when its field is asked."""

    def __init__(self, info: Info, group: f.Group, parts: list[tuple[str, f.Condition]]) -> None:
        self.info = info
        self.group = group
        self.parts = parts
        self.now = info.context.now()
        self._include: asyncio.Task[ColumnElement[bool]] | None = None
        self._numbers: asyncio.Task[list[int]] | None = None

    def include(self) -> asyncio.Task[ColumnElement[bool]]:
        if self._include is None:
            self._include = asyncio.ensure_future(self._where(self.group.condition()))
        return self._include

    def part_numbers(self) -> asyncio.Task[list[int]]:
        if self._numbers is None:
            self._numbers = asyncio.ensure_future(self._count_parts())
        return self._numbers

    async def _where(self, condition: f.Condition) -> ColumnElement[bool]:
        return await filters(self.info).where(Profile.CUSTOMER, condition, self.now)

    async def _count_parts(self) -> list[int]:
        clauses = [await self._where(condition) for _, condition in self.parts]
        included = f.Group(self.group.include).condition()
        for block in self.group.exclude:
            clauses.append(await self._where(f.And((included, block))))
        context = self.info.context
        return await counts(context.session, t.customer, context.shop_id, clauses)


@strawberry.type(description="A definition evaluated before saving (X3).")
class SegmentPreview:
    size: strawberry.Private[int]
    plan: strawberry.Private[_PreviewPlan]

    @strawberry.field(description="Customers the definition selects.")
    async def count(self, info: Info) -> int:
        return await info.context.repos.customers.count(await self.plan.include())

    @strawberry.field(description="The first page of them.")
    async def members(self, info: Info) -> list[Customer]:
        where = await self.plan.include()
        page = await info.context.repos.customers.page(first=self.size, where=where)
        customers = [Customer.from_domain(c, info) for c in page.items]
        await preload_tags(info, customers, paths=((),))
        return customers

    @strawberry.field(description="Each condition of each include block, counted alone.")
    async def conditions(self) -> list[PartCount]:
        numbers = await self.plan.part_numbers()
        return [
            PartCount(field=p, count=n)
            for (p, _), n in zip(self.plan.parts, numbers[: len(self.plan.parts)], strict=True)
        ]

    @strawberry.field(description="Each exclude block and how many included customers it removes.")
    async def exclusions(self) -> list[PartCount]:
        numbers = await self.plan.part_numbers()
        return [
            PartCount(field=f"definition.exclude.{i}", count=n)
            for i, n in enumerate(numbers[len(self.plan.parts) :])
        ]


@strawberry.type(description="A saved filter of a list: built-in (L3) or saved by staff (L6).")
class SavedFilter:
    id: strawberry.ID = strawberry.field(description="`built-in:<key>` or a number.")
    list: ListKindEnum = strawberry.field(description="The list it filters.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="Name shown next to the list.")
    definition: JSON = strawberry.field(description="The stored definition (versioned JSON).")
    shared: bool = strawberry.field(description="Visible to every staff member of the shop.")
    built_in: bool = strawberry.field(description="One of the filters every shop has.")
    mine: bool = strawberry.field(description="Saved by the caller.")

    @classmethod
    def from_domain(cls, s: DomainSavedFilter, staff_id: int) -> SavedFilter:
        return cls(
            id=strawberry.ID(s.id),
            list=s.list,
            name=s.name,
            definition=cast(JSON, group_to_json(s.group)),
            shared=s.shared,
            built_in=s.built_in_key is not None,
            mine=s.owner_staff_id == staff_id,
        )


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
        return SegmentPreview(size=size, plan=_PreviewPlan(info, group, list(parts)))

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


@strawberry.input(description="A new segment.")
class SegmentCreateInput:
    name: str = strawberry.field(description="Unique name within the shop.")
    definition: GroupInput = strawberry.field(description="Include and exclude blocks.")


@strawberry.input(description="Change a segment; omitted fields stay as they are.")
class SegmentUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The segment.")
    name: str | None = strawberry.field(default=None, description="New name.")
    definition: GroupInput | None = strawberry.field(default=None, description="New definition.")


@strawberry.input(description="Delete a segment.")
class SegmentDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The segment.")


@strawberry.input(description="Save a filter of a list.")
class SavedFilterCreateInput:
    list: ListKindEnum = strawberry.field(description="The list it filters.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="Name shown next to the list.")
    definition: GroupInput = strawberry.field(description="Include and exclude blocks.")
    shared: bool = strawberry.field(default=False, description="Visible to all staff.")


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
            group = await to_group(info, input.definition, "input.definition")
            return await segments(info).create(
                name=name,
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
            group = (
                await to_group(info, input.definition, "input.definition")
                if input.definition is not None
                else None
            )
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
            conv = await converter(info, _PROFILE[kind], input.definition)
            group = conv.group(input.definition, "input.definition")
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
        description="Delete one of your saved filters (built-ins cannot be deleted)."
    )
    async def saved_filter_delete(self, info: Info, input: SavedFilterDeleteInput) -> DeletePayload:
        async def act() -> strawberry.ID:
            saved_id = local_id(str(input.id))
            if saved_id is None:
                raise DomainError("Built-in filters cannot be deleted.", field="input.id")
            repo = SavedFilterRepository(info.context.session, info.context.shop_id)
            await repo.delete(saved_id, info.context.viewer.staff_id)
            return input.id

        result, errors = await perform(info, act)
        return DeletePayload(deleted_id=result, user_errors=errors)
