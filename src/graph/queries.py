"""Root fields of the foundation: the node interface, the shop, and the paged lists."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from domain.errors import shown
from domain.filters import Profile
from graph.context import Info
from graph.errors import ErrorKind, api_error
from graph.filters.inputs import ProfileFilter
from graph.filters.lists import FilterArg, where_of
from graph.filters.sorting import (
    CustomerOrder,
    MemberOrder,
    SubscriberOrder,
    sorted_list_page,
    to_sort,
)
from graph.pagination import (
    After,
    Companion,
    Connection,
    First,
    companion_column,
    connection,
    decode_int_cursor,
    page_nodes,
    page_size,
    wants_items,
)
from graph.types.conversation import Thread
from graph.types.customer import Customer, tags_companion
from graph.types.member import Member
from graph.types.shop import Shop, Viewer
from graph.types.subscriber import Page, Subscriber
from graph.types.tag import Tag, TagFolder
from infra.repositories.base import Filter, TableRepository
from infra.repositories.base import Page as RowsPage

N = TypeVar("N")
ORDER_ARG = strawberry.argument(description="Order of the list (newest first when omitted).")


async def list_page(
    info: Info,
    repo: TableRepository[Any],
    convert: Callable[[Any], N],
    first: int | None,
    after: str | None,
    where: Filter = None,
    companion: Companion[N] | None = None,
) -> Connection[N]:
    size = page_size(first, info.context.settings.max_page_size)
    cursor = decode_int_cursor(after)
    # A count-only request must not pay for a page it does not show: on a selective filter the
    # newest-first page can cost as much as the count itself.
    page: RowsPage[Any] = RowsPage([], has_next=False)
    if wants_items(info):
        extra = companion_column(companion)
        page = await repo.page(first=size, after=cursor, where=where, extra=extra)
    nodes = page_nodes(page.items, page.extra, convert, companion)

    def count() -> Awaitable[int]:
        return repo.count(where)

    return connection(
        nodes,
        keys=[item.id for item in page.items],
        has_next=page.has_next,
        has_previous=after is not None,
        count=count,
    )


async def profile_page(
    info: Info,
    profile: Profile,
    repo: TableRepository[Any],
    convert: Callable[[Any], N],
    page: tuple[int | None, str | None],
    filter: ProfileFilter | None,
    order_by: CustomerOrder | MemberOrder | SubscriberOrder | None,
    companion: Companion[N] | None = None,
) -> Connection[N]:
    """A page of a filterable, sortable profile list (customers, members, subscribers)."""
    where = await where_of(info, profile, filter)
    return await ordered_page(info, profile, repo, convert, page, where, order_by, companion)


async def ordered_page(
    info: Info,
    profile: Profile,
    repo: TableRepository[Any],
    convert: Callable[[Any], N],
    page: tuple[int | None, str | None],
    where: Filter,
    order_by: CustomerOrder | MemberOrder | SubscriberOrder | None,
    companion: Companion[N] | None = None,
) -> Connection[N]:
    """A page of the rows of a profile list matching ``where``, in the order asked."""
    first, after = page
    sort = to_sort(profile, order_by)
    if not sort.is_default:
        return await sorted_list_page(
            info, profile, repo, convert, sort, (first, after), where, companion
        )
    return await list_page(info, repo, convert, first, after, where, companion)


@strawberry.type
class CoreQuery:
    @strawberry.field(description="Fetch any object by its global id; null when there is none.")
    async def node(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        # strawberry's own `relay.node()` raised on the id of a type that is no node (`Shop`)
        # or of no type at all: an internal error.
        try:
            node_type = id.resolve_type(info)
        except GlobalIDValueError:
            raise api_error(
                f"{shown(id.type_name)} is not a type of object `node` fetches.",
                ErrorKind.BAD_USER_INPUT,
                field="id",
            ) from None
        found = node_type.resolve_node(id.node_id, info=info, required=False)
        return await found if inspect.isawaitable(found) else found

    @strawberry.field(description="The shop the token belongs to.")
    async def shop(self, info: Info) -> Shop:
        # Loaded once for the request, however many aliases ask for it.
        found = await info.context.loaders.shop_by_id.load(info.context.shop_id)
        assert found is not None  # a token's shop outlives it (ON DELETE CASCADE)
        return Shop(
            name=found.name, timezone=found.timezone, points_delay_hours=found.points_delay_hours
        )

    @strawberry.field(description="The staff member the token belongs to, and what they may do.")
    async def viewer(self, info: Info) -> Viewer:
        principal = info.context.viewer
        name = await info.context.loaders.staff_name_by_id.load(principal.staff_id)
        return Viewer(
            staff_id=principal.staff_id,
            name=name or "",
            role=principal.role,
            can_switch_merge_mode=principal.can_switch_merge_mode,
            can_manage_page_connection=principal.can_manage_page_connection,
        )

    @strawberry.field(description="Commerce customers, newest first unless `orderBy` says.")
    async def customers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: FilterArg = None,
        order_by: Annotated[CustomerOrder | None, ORDER_ARG] = None,
    ) -> Connection[Customer]:
        return await profile_page(
            info,
            Profile.CUSTOMER,
            info.context.repos.customers,
            lambda c: Customer.from_domain(c, info),
            (first, after),
            filter,
            order_by,
            tags_companion(info),
        )

    @strawberry.field(description="Registered loyalty members, newest first unless `orderBy` says.")
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: FilterArg = None,
        order_by: Annotated[MemberOrder | None, ORDER_ARG] = None,
    ) -> Connection[Member]:
        return await profile_page(
            info,
            Profile.MEMBER,
            info.context.repos.members,
            Member.from_domain,
            (first, after),
            filter,
            order_by,
        )

    @strawberry.field(
        description="Subscribers of the shop's pages, newest first unless `orderBy` says."
    )
    async def subscribers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: FilterArg = None,
        order_by: Annotated[SubscriberOrder | None, ORDER_ARG] = None,
    ) -> Connection[Subscriber]:
        return await profile_page(
            info,
            Profile.SUBSCRIBER,
            info.context.repos.subscribers,
            Subscriber.from_domain,
            (first, after),
            filter,
            order_by,
        )

    @strawberry.field(description="Conversation threads of all pages, newest first.")
    async def threads(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Thread]:
        return await list_page(info, info.context.repos.threads, Thread.from_domain, first, after)

    @strawberry.field(description="Connected social pages.")
    async def pages(self, info: Info, first: First = None, after: After = None) -> Connection[Page]:
        return await list_page(info, info.context.repos.pages, Page.from_domain, first, after)

    @strawberry.field(description="Tag folders of the shop and its pages.")
    async def tag_folders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[TagFolder]:
        return await list_page(
            info, info.context.repos.tag_folders, TagFolder.from_domain, first, after
        )

    @strawberry.field(description="Tags of the shop and its pages.")
    async def tags(self, info: Info, first: First = None, after: After = None) -> Connection[Tag]:
        return await list_page(info, info.context.repos.tags, Tag.from_domain, first, after)
