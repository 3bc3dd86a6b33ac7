"""Segments and saved filters as GraphQL types, with the live members of a segment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from domain import filters as f
from domain.filter_codec import group_to_json
from domain.filters import Profile
from domain.segment import ListKind
from domain.segment import SavedFilter as DomainSavedFilter
from domain.segment import Segment as DomainSegment
from graph.context import Info
from graph.errors import bad_input
from graph.filters.encode import Encoder
from graph.filters.lists import encoder, filters
from graph.filters.sorting import CustomerOrder, SubscriberOrder
from graph.pagination import After, Companion, Connection, First
from graph.queries import ORDER_ARG, ordered_page
from graph.types.common import Node, resolve_many
from graph.types.customer import Customer, tags_companion
from graph.types.subscriber import Subscriber
from infra.repositories.base import TableRepository
from infra.repositories.segments import SegmentRepository
from infra.statements import Where

N = TypeVar("N")

ListKindEnum = strawberry.enum(ListKind, name="ListKind", description="A filterable list.")
LIST_PROFILES = {
    ListKind.CUSTOMERS: Profile.CUSTOMER,
    ListKind.MEMBERS: Profile.MEMBER,
    ListKind.SUBSCRIBERS: Profile.SUBSCRIBER,
}


def segments(info: Info) -> SegmentRepository:
    return SegmentRepository(info.context.session, info.context.shop_id)


async def where_of_group(info: Info, kind: ListKind, group: f.Group) -> Where:
    return await filters(info).where(LIST_PROFILES[kind], group.condition(), info.context.now())


def rows_of(info: Info, kind: ListKind) -> TableRepository[Any]:
    """The repository of the rows a segment of ``kind`` holds."""
    repos = info.context.repos
    return repos.customers if kind is ListKind.CUSTOMERS else repos.subscribers


PEOPLE_FIELD = {ListKind.CUSTOMERS: "members", ListKind.SUBSCRIBERS: "subscribers"}
"""The field of a segment (and of a preview) that gives the people of each list."""


def holds(kind: ListKind, wanted: ListKind) -> None:
    """Refuse the people field of the other list (`members` of a subscriber segment ...)."""
    if kind is not wanted:
        raise bad_input(
            f"This segment holds {kind.value}; ask for `{PEOPLE_FIELD[kind]}` instead.",
            field=PEOPLE_FIELD[wanted],
        )


@strawberry.type(
    description="A saved group of customers or of subscribers whose members are evaluated live."
)
class Segment(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name of the segment.")
    kind: ListKindEnum = strawberry.field(  # type: ignore[valid-type]
        name="list",
        description="What it holds: `CUSTOMERS` (its `members`) or `SUBSCRIBERS` (its "
        "`subscribers`). The definition's conditions are those of that list's `filter`.",
    )
    definition: JSON = strawberry.field(
        description="The stored definition (versioned JSON of include / exclude blocks)."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    members_pending: bool = strawberry.field(
        description="True from `segmentCreate`, or a `segmentUpdate` with a new definition, "
        "until the job worker has stored the members of the current definition (within "
        "seconds). `memberCount`, `members` and `subscribers` are live either way; what "
        "waits is the `segment.member_entered` / `segment.member_left` events of the change "
        "(a new segment's first members have none)."
    )
    members_stored_at: datetime | None = strawberry.field(
        description="When the job worker last brought the stored members in line with the "
        "definition (on a change, and on its periodic pass); null until the first time."
    )
    group: strawberry.Private[f.Group]

    @classmethod
    def from_domain(cls, s: DomainSegment) -> Segment:
        return cls(
            id=s.id,
            name=s.name,
            kind=s.list,
            definition=cast(JSON, group_to_json(s.group)),
            created_at=s.created_at,
            updated_at=s.updated_at,
            members_pending=s.members_pending,
            members_stored_at=s.members_stored_at,
            group=s.group,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Segment | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.segment_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(
        description="The definition as a `GroupInput`, as it is written in `segmentPreview`, "
        "`segmentCreate` and `segmentUpdate`: a form shows it, and sending it back keeps the "
        "segment as it is."
    )
    async def definition_input(self, info: Info) -> JSON:
        kind = ListKind(self.kind)
        conditions = await encoder(info, LIST_PROFILES[kind], self.group.condition())
        return cast(JSON, conditions.group(self.group))

    @strawberry.field(description="How many customers or subscribers are in the segment now.")
    async def member_count(self, info: Info) -> int:
        kind = ListKind(self.kind)
        return await rows_of(info, kind).count(await where_of_group(info, kind, self.group))

    @strawberry.field(
        description="The customers in a customer segment now, newest first unless `orderBy` says."
    )
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        order_by: Annotated[CustomerOrder | None, ORDER_ARG] = None,
    ) -> Connection[Customer]:
        return await self._people(
            info,
            ListKind.CUSTOMERS,
            lambda c: Customer.from_domain(c, info),
            (first, after),
            order_by,
            tags_companion(info),
        )

    @strawberry.field(
        description="The subscribers in a subscriber segment now, newest first unless `orderBy` "
        "says."
    )
    async def subscribers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        order_by: Annotated[SubscriberOrder | None, ORDER_ARG] = None,
    ) -> Connection[Subscriber]:
        return await self._people(
            info, ListKind.SUBSCRIBERS, Subscriber.from_domain, (first, after), order_by
        )

    async def _people(
        self,
        info: Info,
        wanted: ListKind,
        convert: Callable[[Any], N],
        page: tuple[int | None, str | None],
        order_by: CustomerOrder | SubscriberOrder | None,
        companion: Companion[N] | None = None,
    ) -> Connection[N]:
        """A page of the segment's people, when it holds the ``wanted`` list."""
        holds(ListKind(self.kind), wanted)
        return await ordered_page(
            info,
            LIST_PROFILES[wanted],
            rows_of(info, wanted),
            convert,
            page,
            await where_of_group(info, wanted, self.group),
            order_by,
            companion,
        )


@strawberry.type(description="A saved filter of a list: built-in (L3) or saved by staff (L6).")
class SavedFilter:
    id: strawberry.ID = strawberry.field(description="`built-in:<key>` or a number.")
    list: ListKindEnum = strawberry.field(description="The list it filters.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="Name shown next to the list.")
    definition: JSON = strawberry.field(description="The stored definition (versioned JSON).")
    shared: bool = strawberry.field(description="Visible to every staff member of the shop.")
    built_in: bool = strawberry.field(description="One of the filters every shop has.")
    mine: bool = strawberry.field(description="Saved by the caller.")
    group: strawberry.Private[f.Group]

    @strawberry.field(
        description="The definition as a `GroupInput`, as `savedFilterCreate` takes it."
    )
    async def definition_input(self, info: Info) -> JSON:
        return cast(JSON, (await self._encoder(info)).group(self.group))

    @strawberry.field(
        description="The same conditions as one `ProfileFilter`: pass it as the `filter` of "
        "the list it filters to apply the saved filter (and combine it with more conditions "
        "under `and`)."
    )
    async def filter_input(self, info: Info) -> JSON:
        return cast(JSON, (await self._encoder(info)).block(self.group.condition()))

    async def _encoder(self, info: Info) -> Encoder:
        return await encoder(info, LIST_PROFILES[ListKind(self.list)], self.group.condition())

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
            group=s.group,
        )
