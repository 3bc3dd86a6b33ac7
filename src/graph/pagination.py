"""Relay cursor connections with ``totalCount`` and a maximum page size."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types.nodes import SelectedField

from domain.text import whole_number
from graph.errors import bad_input

NodeT = TypeVar("NodeT")

DEFAULT_PAGE_SIZE = 20


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="An item of a list and its cursor.")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque position of this item in the list.")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[NodeT]):
    def _edges(self) -> list[Edge[NodeT]]:
        # Made when asked for: most lists are read through `nodes`, and an edge and a cursor
        # per row cost a page of 50 about 3 % of its instructions.
        pairs = zip(self.nodes, self.keys, strict=True)
        return [Edge(node=n, cursor=encode_cursor(k)) for n, k in pairs]

    edges: list[Edge[NodeT]] = strawberry.field(
        resolver=_edges, description="The items of this page."
    )
    page_info: PageInfo = strawberry.field(description="Paging information.")
    nodes: list[NodeT] = strawberry.field(description="Items of this page without their cursors.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    keys: strawberry.Private[Sequence[int | str]]
    """Each node's position in its list, which its cursor encodes."""

    @strawberry.field(description="How many items the whole list has (all pages).")
    async def total_count(self) -> int:
        return await self.count()


def encode_cursor(key: int | str) -> str:
    return base64.urlsafe_b64encode(f"c:{key}".encode()).decode()


def decode_cursor(cursor: str, *, field: str = "after") -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith("c:"):
        raise bad_input("Not a cursor of this list: pass an `endCursor` from a page.", field=field)
    return raw[2:]


def decode_int_cursor(cursor: str | None, *, field: str = "after") -> int | None:
    if cursor is None:
        return None
    value = whole_number(decode_cursor(cursor, field=field))
    if value is None:
        raise bad_input("Not a cursor of this list: pass an `endCursor` from a page.", field=field)
    return value


First = Annotated[
    int | None, strawberry.argument(description="Page size, at most 100 (default 20).")
]
After = Annotated[
    str | None, strawberry.argument(description="Cursor after which the page starts (`endCursor`).")
]


def page_size(first: int | None, maximum: int) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > maximum:
        raise bad_input(
            f"`first` must be between 0 and {maximum}; got {first}. Page through longer lists "
            "with `after`.",
            field="first",
        )
    return first


ITEM_PATHS = (("nodes",), ("edges", "node"))


def _fields(selections: Sequence[Any]) -> list[SelectedField]:
    """The fields of a selection set, with those of its fragments (inline or named) inlined."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        else:
            found.extend(_fields(selection.selections))
    return found


def selects(info: Any, name: str, paths: Sequence[tuple[str, ...]] = ITEM_PATHS) -> bool:
    """Whether the field being resolved selects ``name`` on its items, reached through any of
    ``paths`` (by default a connection's ``nodes`` and ``edges { node }``).

    Directives are not evaluated: a field under ``@include(if: false)`` counts as selected,
    which costs a fetch that is not shown, never a missing value.
    """
    for field in info.selected_fields:
        for path in paths:
            level = _fields(field.selections)
            for step in path:
                level = [inner for f in level if f.name == step for inner in _fields(f.selections)]
            if any(f.name == name for f in level):
                return True
    return False


def wants_items(info: Any) -> bool:
    """Whether the request selects anything of the connection besides `totalCount`, fragments
    included."""
    return any(
        selected.name not in ("totalCount", "__typename")
        for field in info.selected_fields
        for selected in _fields(field.selections)
    )


@dataclass(frozen=True)
class Companion(Generic[NodeT]):
    """A column read with each row of a page, in the page's own statement, and how its value is
    set on the row's node (a customer's tags, say)."""

    column: ColumnElement[Any]
    attach: Callable[[NodeT, Any], None]

    def apply(self, nodes: Sequence[NodeT], values: Sequence[Any] | None) -> None:
        for node, value in zip(nodes, values or (), strict=values is not None):
            self.attach(node, value)


def companion_column(companion: Companion[Any] | None) -> ColumnElement[Any] | None:
    """The column a page statement reads for ``companion``, None without one."""
    return companion.column if companion is not None else None


def page_nodes(
    items: Sequence[Any],
    extra: Sequence[Any] | None,
    convert: Callable[[Any], NodeT],
    companion: Companion[NodeT] | None,
) -> list[NodeT]:
    """A page's rows as nodes, with the companion's values (``extra``) set on them."""
    nodes = [convert(item) for item in items]
    if companion is not None:
        companion.apply(nodes, extra)
    return nodes


def connection(
    nodes: Sequence[NodeT],
    *,
    keys: Sequence[int | str],
    has_next: bool,
    has_previous: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    return Connection(
        nodes=list(nodes),
        keys=keys,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=encode_cursor(keys[0]) if keys else None,
            end_cursor=encode_cursor(keys[-1]) if keys else None,
        ),
        count=count,
    )
