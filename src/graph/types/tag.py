"""Tags and tag folders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from domain import tag as domain
from graph.context import Info
from graph.types.common import Node, resolve_many

if TYPE_CHECKING:
    from graph.types.subscriber import Page


@strawberry.type(description="A tag. Social tags belong to a page; commerce tags to the shop.")
class Tag(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name shown to staff.")
    color: str | None = strawberry.field(description="Display colour, e.g. `#ff8800`.")
    page_id: strawberry.Private[int | None]
    folder_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, tag: domain.Tag) -> Tag:
        return cls(
            id=tag.id, name=tag.name, color=tag.color, page_id=tag.page_id, folder_id=tag.folder_id
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Tag | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.tag_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="True for a social tag (belongs to a page).")
    def is_social(self) -> bool:
        return self.page_id is not None

    @strawberry.field(description="The page a social tag belongs to; null for commerce tags.")
    async def page(
        self, info: Info
    ) -> Annotated[Page, strawberry.lazy("graph.types.subscriber")] | None:
        from graph.types.subscriber import Page

        return await Page.load(info, self.page_id)

    @strawberry.field(description="The folder the tag is filed in.")
    async def folder(self, info: Info) -> TagFolder | None:
        if self.folder_id is None:
            return None
        found = await info.context.loaders.tag_folder_by_id.load(self.folder_id)
        return TagFolder.from_domain(found) if found else None


@strawberry.type(description='A folder grouping tags, e.g. "Tư vấn - Bán hàng".')
class TagFolder(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Folder name.")
    position: int = strawberry.field(description="Order of the folder in its list.")
    page_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, folder: domain.TagFolder) -> TagFolder:
        return cls(id=folder.id, name=folder.name, position=folder.position, page_id=folder.page_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[TagFolder | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.tag_folder_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The page of a social folder; null for commerce folders.")
    async def page(
        self, info: Info
    ) -> Annotated[Page, strawberry.lazy("graph.types.subscriber")] | None:
        from graph.types.subscriber import Page

        return await Page.load(info, self.page_id)


def tags(items: list[domain.Tag]) -> list[Tag]:
    return [Tag.from_domain(item) for item in items]


def shared_tags() -> Callable[[Iterable[domain.Tag]], list[Tag]]:
    """Converts lists of tags making each tag once, so a tag on many rows of a page is one
    object."""
    made: dict[int, Tag] = {}

    def convert(items: Iterable[domain.Tag]) -> list[Tag]:
        return [made.get(i.id) or made.setdefault(i.id, Tag.from_domain(i)) for i in items]

    return convert


__all__: list[Any] = ["Tag", "TagFolder", "shared_tags", "tags"]
