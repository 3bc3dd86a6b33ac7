"""Writing tags and folders, the default tag set of a page, and tagging in bulk (SPEC T1–T4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, insert, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode, NotFound
from domain.tag import DEFAULT_TAG_FOLDERS, Tag, TagFolder, TagTarget, scope_rule
from infra import tables as t
from infra.repositories.social import TagFolderRepository, TagRepository

TAGGINGS: dict[TagTarget, tuple[Table, Table, str]] = {
    TagTarget.CUSTOMER: (t.customer_tag, t.customer, "customer_id"),
    TagTarget.SUBSCRIBER: (t.subscriber_tag, t.subscriber, "subscriber_id"),
    TagTarget.THREAD: (t.thread_tag, t.thread, "thread_id"),
}


@dataclass(frozen=True, slots=True)
class TaggingResult:
    changed: int
    pairs: tuple[tuple[int, int], ...] = ()
    """The (owner id, tag id) pairs this call added or removed; pairs that already were (or
    were not) there are left out, so automation reacts only to real changes."""


class TagAdmin:
    """Tag and folder writes of one shop; every method validates before it changes anything."""

    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.tags = TagRepository(session, shop_id)
        self.folders = TagFolderRepository(session, shop_id)

    async def check_page(self, page_id: int | None, *, field: str) -> None:
        if page_id is None:
            return
        found = await self.session.scalar(
            select(t.page.c.id).where(t.page.c.shop_id == self.shop_id, t.page.c.id == page_id)
        )
        if found is None:
            raise NotFound("No such page in this shop.", field=field)

    async def folder(self, folder_id: int, *, field: str) -> TagFolder:
        return await self.folders.one(folder_id, field=field)

    async def tag(self, tag_id: int, *, field: str) -> Tag:
        return await self.tags.one(tag_id, field=field)

    async def create_folder(self, *, page_id: int | None, name: str, position: int) -> TagFolder:
        await self.check_page(page_id, field="input.pageId")
        new_id = await self.session.scalar(
            pg_insert(t.tag_folder)
            .values(shop_id=self.shop_id, page_id=page_id, name=name, position=position)
            .on_conflict_do_nothing()
            .returning(t.tag_folder.c.id)
        )
        if new_id is None:
            raise DomainError(
                f'A folder named "{name}" already exists here.',
                code=ErrorCode.DUPLICATE,
                field="input.name",
            )
        return await self.folder(new_id, field="input")

    async def update_folder(
        self, folder_id: int, *, name: str | None, position: int | None
    ) -> TagFolder:
        folder = await self.folder(folder_id, field="input.id")
        values: dict[str, Any] = {}
        if name is not None and name != folder.name:
            clash = await self.session.scalar(
                select(t.tag_folder.c.id).where(
                    t.tag_folder.c.shop_id == self.shop_id,
                    t.tag_folder.c.page_id.is_not_distinct_from(folder.page_id),
                    t.tag_folder.c.name == name,
                )
            )
            if clash is not None:
                raise DomainError(
                    f'A folder named "{name}" already exists here.',
                    code=ErrorCode.DUPLICATE,
                    field="input.name",
                )
            values["name"] = name
        if position is not None:
            values["position"] = position
        if values:
            await self.session.execute(
                update(t.tag_folder)
                .where(t.tag_folder.c.shop_id == self.shop_id, t.tag_folder.c.id == folder_id)
                .values(**values)
            )
        return await self.folder(folder_id, field="input.id")

    async def delete_folder(self, folder_id: int) -> None:
        """Its tags stay, unfiled."""
        await self.folder(folder_id, field="input.id")
        # Unfiled here rather than by the foreign key: ON DELETE SET NULL of the composite key
        # (shop_id, folder_id) would null shop_id too.
        await self.session.execute(
            update(t.tag)
            .where(t.tag.c.shop_id == self.shop_id, t.tag.c.folder_id == folder_id)
            .values(folder_id=None)
        )
        await self.session.execute(
            delete(t.tag_folder).where(
                t.tag_folder.c.shop_id == self.shop_id, t.tag_folder.c.id == folder_id
            )
        )

    async def _check_folder_scope(self, folder_id: int | None, page_id: int | None) -> None:
        if folder_id is None:
            return
        folder = await self.folder(folder_id, field="input.folderId")
        if folder.page_id != page_id:
            raise DomainError(
                "The folder belongs to another page (or to the shop); a tag is filed only in a "
                "folder of its own page, commerce tags in commerce folders.",
                field="input.folderId",
            )

    async def _check_name_free(self, page_id: int | None, name: str, except_id: int = 0) -> None:
        clash = await self.session.scalar(
            select(t.tag.c.id).where(
                t.tag.c.shop_id == self.shop_id,
                t.tag.c.page_id.is_not_distinct_from(page_id),
                t.tag.c.name == name,
                t.tag.c.id != except_id,
            )
        )
        if clash is not None:
            raise DomainError(
                f'A tag named "{name}" already exists here.',
                code=ErrorCode.DUPLICATE,
                field="input.name",
            )

    async def create_tag(
        self, *, page_id: int | None, folder_id: int | None, name: str, color: str | None
    ) -> Tag:
        await self.check_page(page_id, field="input.pageId")
        await self._check_folder_scope(folder_id, page_id)
        await self._check_name_free(page_id, name)
        new_id = await self.session.scalar(
            insert(t.tag)
            .values(
                shop_id=self.shop_id, page_id=page_id, folder_id=folder_id, name=name, color=color
            )
            .returning(t.tag.c.id)
        )
        assert new_id is not None
        return await self.tag(new_id, field="input")

    async def update_tag(
        self,
        tag_id: int,
        *,
        name: str | None,
        color: str | None,
        folder_id: int | None,
        unfile: bool,
    ) -> Tag:
        tag = await self.tag(tag_id, field="input.id")
        values: dict[str, Any] = {}
        if name is not None and name != tag.name:
            await self._check_name_free(tag.page_id, name, except_id=tag_id)
            values["name"] = name
        if color is not None:
            values["color"] = color
        if unfile:
            values["folder_id"] = None
        elif folder_id is not None:
            await self._check_folder_scope(folder_id, tag.page_id)
            values["folder_id"] = folder_id
        if values:
            await self.session.execute(
                update(t.tag)
                .where(t.tag.c.shop_id == self.shop_id, t.tag.c.id == tag_id)
                .values(**values)
            )
        return await self.tag(tag_id, field="input.id")

    async def usage(self, tag_id: int) -> int:
        counts = [
            select(func.count())
            .select_from(table)
            .where(table.c.shop_id == self.shop_id, table.c.tag_id == tag_id)
            .scalar_subquery()
            for table, _, _ in TAGGINGS.values()
        ]
        return int(await self.session.scalar(select(counts[0] + counts[1] + counts[2])) or 0)

    async def delete_tag(self, tag_id: int, *, force: bool) -> int:
        """Deletes the tag; one still in use needs ``force``, which removes its taggings too."""
        await self.tag(tag_id, field="input.id")
        used = await self.usage(tag_id)
        if used and not force:
            raise DomainError(
                f"The tag is on {used} customers, subscribers or threads; pass `force: true` to "
                "delete it and remove it from them.",
                code=ErrorCode.IN_USE,
                field="input.force",
            )
        await self.session.execute(
            delete(t.tag).where(t.tag.c.shop_id == self.shop_id, t.tag.c.id == tag_id)
        )
        return used

    async def install_defaults(self, page_id: int) -> int:
        """The default folders and tags of SPEC T2 for a page; what exists already is kept.

        Returns how many tags were added (0 when run again).
        """
        folders = [
            {"shop_id": self.shop_id, "page_id": page_id, "name": name, "position": position}
            for position, (name, _) in enumerate(DEFAULT_TAG_FOLDERS)
        ]
        await self.session.execute(pg_insert(t.tag_folder).values(folders).on_conflict_do_nothing())
        folder_rows = await self.session.execute(
            select(t.tag_folder.c.name, t.tag_folder.c.id).where(
                t.tag_folder.c.shop_id == self.shop_id,
                t.tag_folder.c.page_id == page_id,
                t.tag_folder.c.name.in_([name for name, _ in DEFAULT_TAG_FOLDERS]),
            )
        )
        by_name = {name: folder_id for name, folder_id in folder_rows.all()}
        tags = [
            {"shop_id": self.shop_id, "page_id": page_id, "folder_id": by_name[folder], "name": n}
            for folder, names in DEFAULT_TAG_FOLDERS
            for n in names
        ]
        added = await self.session.execute(
            pg_insert(t.tag).values(tags).on_conflict_do_nothing().returning(t.tag.c.id)
        )
        return len(added.all())

    async def add(
        self, target: TagTarget, owner_ids: Sequence[int], tag_ids: Sequence[int], staff_id: int
    ) -> TaggingResult:
        """Puts every tag on every owner in one statement; nothing is written when an id is
        unknown or a tag does not fit its owner's scope."""
        tagging, owner_table, owner_column = TAGGINGS[target]
        want_owners, want_tags = set(owner_ids), set(tag_ids)
        page = owner_table.c.page_id if target is not TagTarget.CUSTOMER else literal(None)
        owners = (
            select(owner_table.c.id, page.label("page_id"))
            .where(owner_table.c.shop_id == self.shop_id, owner_table.c.id.in_(want_owners))
            .cte("owners")
        )
        tags = (
            select(t.tag.c.id, t.tag.c.page_id)
            .where(t.tag.c.shop_id == self.shop_id, t.tag.c.id.in_(want_tags))
            .cte("tags")
        )
        misfit: ColumnElement[bool] = (
            tags.c.page_id.is_not(None)
            if target is TagTarget.CUSTOMER
            else tags.c.page_id.is_distinct_from(owners.c.page_id)
        )
        pairs = owners.join(tags, true())
        owners_found = select(func.count()).select_from(owners).scalar_subquery()
        tags_found = select(func.count()).select_from(tags).scalar_subquery()
        misfits = select(func.count()).select_from(pairs).where(misfit).scalar_subquery()
        inserted = (
            pg_insert(tagging)
            .from_select(
                ["shop_id", owner_column, "tag_id", "tagged_by"],
                select(literal(self.shop_id), owners.c.id, tags.c.id, literal(staff_id))
                .select_from(pairs)
                .where(
                    owners_found == len(want_owners),
                    tags_found == len(want_tags),
                    misfits == 0,
                ),
            )
            .on_conflict_do_nothing()
            .returning(tagging.c[owner_column].label("owner_id"), tagging.c.tag_id)
            .cte("inserted")
        )
        added = (
            select(
                func.array_agg(inserted.c.owner_id).label("owners"),
                func.array_agg(inserted.c.tag_id).label("tags"),
            )
            .select_from(inserted)
            .subquery("added")
        )
        row = (
            await self.session.execute(
                select(owners_found, tags_found, misfits, added.c.owners, added.c.tags)
            )
        ).one()
        found_owners, found_tags, misfit_count, added_owners, added_tags = row
        if found_owners < len(want_owners):
            raise NotFound(f"Some {target.value} ids are not in this shop.", field=_field(target))
        if found_tags < len(want_tags):
            raise NotFound("Some tag ids are not in this shop.", field="input.tagIds")
        if misfit_count:
            raise DomainError(f"A tag does not fit: {scope_rule(target)}.", field="input.tagIds")
        new_pairs = tuple(zip(added_owners or (), added_tags or (), strict=True))
        return TaggingResult(changed=len(new_pairs), pairs=new_pairs)

    async def remove(
        self, target: TagTarget, owner_ids: Sequence[int], tag_ids: Sequence[int]
    ) -> TaggingResult:
        tagging, _, owner_column = TAGGINGS[target]
        removed = await self.session.execute(
            delete(tagging)
            .where(
                tagging.c.shop_id == self.shop_id,
                tagging.c[owner_column].in_(set(owner_ids)),
                tagging.c.tag_id.in_(set(tag_ids)),
            )
            .returning(tagging.c[owner_column], tagging.c.tag_id)
        )
        pairs = tuple((int(owner), int(tag)) for owner, tag in removed.all())
        return TaggingResult(changed=len(pairs), pairs=pairs)


def _field(target: TagTarget) -> str:
    return f"input.{target.value}Ids"
