"""The `orderBy` argument of the customer, member and subscriber lists, with keyset cursors.

The default order (newest first) keeps the plain id cursors; any other order's cursor carries
the sort, the last row's sort value and its id, so paging stays exact across ties and NULLs.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
import strawberry

from domain.errors import DomainError
from domain.filters import Profile
from domain.sorting import (
    SORTS,
    Position,
    Sort,
    SortBy,
    check_sort,
    value_from_json,
    value_to_json,
)
from graph.context import Info
from graph.errors import bad_input
from graph.pagination import (
    Companion,
    Connection,
    companion_column,
    connection,
    decode_cursor,
    page_nodes,
    page_size,
    wants_items,
)
from infra.repositories.base import Filter, Page, TableRepository

N = TypeVar("N")


@strawberry.enum(description="Direction of an order.")
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


def _enum(name: str, profile: Profile) -> Any:
    members = {by.name: by.value for by in SORTS[profile]}
    generated: Any = enum.Enum(name, members)  # type: ignore[misc]
    return strawberry.enum(
        generated,
        description="What the list is ordered by: CREATED is the order rows were created in.",
    )


CustomerSortBy = _enum("CustomerSortBy", Profile.CUSTOMER)
MemberSortBy = _enum("MemberSortBy", Profile.MEMBER)
SubscriberSortBy = _enum("SubscriberSortBy", Profile.SUBSCRIBER)


@strawberry.input(description="Order of the customer list (rows without a value come last).")
class CustomerOrder:
    by: CustomerSortBy = strawberry.field(description="Sort key.")  # type: ignore[valid-type]
    direction: SortDirection = strawberry.field(
        default=SortDirection.DESC, description="DESC (default) or ASC."
    )


@strawberry.input(
    description="Order of the member list; NAME, TOTAL_SPENT, ORDERS_COUNT and LAST_ORDER are "
    "the member's customer's. POINTS is the balance (available plus pending)."
)
class MemberOrder:
    by: MemberSortBy = strawberry.field(description="Sort key.")  # type: ignore[valid-type]
    direction: SortDirection = strawberry.field(
        default=SortDirection.DESC, description="DESC (default) or ASC."
    )


@strawberry.input(description="Order of the subscriber list (rows without a value come last).")
class SubscriberOrder:
    by: SubscriberSortBy = strawberry.field(description="Sort key.")  # type: ignore[valid-type]
    direction: SortDirection = strawberry.field(
        default=SortDirection.DESC, description="DESC (default) or ASC."
    )


def to_sort(profile: Profile, given: CustomerOrder | MemberOrder | SubscriberOrder | None) -> Sort:
    if given is None:
        return Sort()
    by: Any = given.by
    sort = Sort(SortBy(by.value), given.direction is SortDirection.DESC)
    try:
        check_sort(profile, sort, field="orderBy.by")
    except DomainError as error:
        raise bad_input(error.message, field="orderBy.by") from None
    return sort


_FOREIGN = "This cursor belongs to another order or list: pass an `endCursor` of this one."


def encode_position(position: Position) -> str:
    """A row's cursor: made for every row of a sorted page, so by orjson (decoded by json)."""
    sort = position.sort
    return orjson.dumps(
        [
            sort.by.value,
            "desc" if sort.descending else "asc",
            value_to_json(position.value),
            position.id,
        ]
    ).decode()


def decode_position(profile: Profile, sort: Sort, cursor: str) -> Position:
    raw = decode_cursor(cursor)
    try:
        by, direction, value, ident = json.loads(raw)
        if by != sort.by.value or direction != ("desc" if sort.descending else "asc"):
            raise ValueError("another order")
        if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident < 2**63:
            raise ValueError("bad id")
        return Position(sort, value_from_json(SORTS[profile][sort.by], value), ident)
    except (ValueError, TypeError):
        raise bad_input(_FOREIGN, field="after") from None


async def sorted_list_page(
    info: Info,
    profile: Profile,
    repo: TableRepository[Any],
    convert: Callable[[Any], N],
    sort: Sort,
    page_args: tuple[int | None, str | None],
    where: Filter,
    companion: Companion[N] | None = None,
) -> Connection[N]:
    first, after = page_args
    size = page_size(first, info.context.settings.max_page_size)
    position = decode_position(profile, sort, after) if after is not None else None
    page: Page[Any] = Page([], has_next=False)
    positions: list[Position] = []
    if wants_items(info):  # a count alone reads no page, as ``list_page``
        page, positions = await repo.sorted_page(
            first=size, sort=sort, after=position, where=where, extra=companion_column(companion)
        )
    nodes = page_nodes(page.items, page.extra, convert, companion)

    async def count() -> int:
        return await repo.count(where)

    return connection(
        nodes,
        keys=[encode_position(p) for p in positions],
        has_next=page.has_next,
        has_previous=after is not None,
        count=count,
    )
