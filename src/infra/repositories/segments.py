"""Segments and saved filters; definitions are stored as the domain's versioned JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row

from domain.errors import DomainError, ErrorCode, NotFound
from domain.filter_codec import group_from_json, group_to_json
from domain.filters import Group
from domain.segment import ListKind, SavedFilter, Segment, not_your_filter
from infra import tables as t
from infra.filter_sql import WholeSet
from infra.repositories.base import TableRepository


class SegmentRepository(TableRepository[Segment]):
    table = t.segment
    noun = "segment"

    def to_domain(self, row: Row[Any]) -> Segment:
        m = row._mapping
        return Segment(
            shop_id=m["shop_id"],
            id=m["id"],
            name=m["name"],
            list=ListKind(m["list"]),
            group=group_from_json(m["definition"]),
            created_by=m["created_by"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
            members_pending=m["members_version"] < m["definition_version"],
            members_stored_at=m["members_stored_at"],
        )

    async def _name_taken(self, name: str, other_than: int | None = None) -> None:
        query = select(t.segment.c.id).where(
            t.segment.c.shop_id == self.shop_id, t.segment.c.name == name
        )
        if other_than is not None:
            query = query.where(t.segment.c.id != other_than)
        if await self.session.scalar(query) is not None:
            raise DomainError(
                f"A segment named {name!r} exists; choose another name.",
                code=ErrorCode.DUPLICATE,
                field="input.name",
            )

    async def create(
        self,
        *,
        name: str,
        group: Group,
        staff_id: int,
        now: datetime,
        list_kind: ListKind = ListKind.CUSTOMERS,
    ) -> Segment:
        """A new segment; the job worker stores its first members (``store_members``)."""
        await self._name_taken(name)
        row = (
            await self.session.execute(
                insert(t.segment)
                .values(
                    shop_id=self.shop_id,
                    name=name,
                    list=list_kind.value,
                    definition=group_to_json(group),
                    created_by=staff_id,
                    created_at=now,
                    updated_at=now,
                )
                .returning(t.segment)
            )
        ).one()
        return self.to_domain(row)

    async def update(
        self, segment_id: int, *, name: str | None, group: Group | None, now: datetime
    ) -> Segment:
        """A new name or definition; the job worker stores who a new definition lets in and
        out, with their events."""
        values: dict[str, Any] = {"updated_at": now}
        if name is not None:
            await self._name_taken(name, other_than=segment_id)
            values["name"] = name
        if group is not None:
            values["definition"] = group_to_json(group)
            values["definition_version"] = t.segment.c.definition_version + 1
        row = (
            await self.session.execute(
                update(t.segment)
                .where(t.segment.c.shop_id == self.shop_id, t.segment.c.id == segment_id)
                .values(**values)
                .returning(t.segment)
            )
        ).one_or_none()
        if row is None:
            raise NotFound("No such segment in this shop.", field="input.id")
        return self.to_domain(row)

    async def delete(self, segment_id: int) -> None:
        """The segment, leaving its stored members to the job worker (``segment_dropped``,
        ``segment_events.drop_members``): they are read only through their segment, so they
        are out of every answer at once, and the request takes the same time whatever their
        number. A worker storing them holds the segment's row until it commits, so the delete
        waits for it and the worker's removal sees every member it stored."""
        result = await self.session.execute(
            delete(t.segment)
            .where(t.segment.c.shop_id == self.shop_id, t.segment.c.id == segment_id)
            .returning(t.segment.c.id)
        )
        if result.one_or_none() is None:
            raise NotFound("No such segment in this shop.", field="input.id")
        await self.session.execute(
            insert(t.segment_dropped).values(shop_id=self.shop_id, segment_id=segment_id)
        )


class SavedFilterRepository:
    def __init__(self, session: Any, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    def _domain(self, row: Row[Any]) -> SavedFilter:
        m = row._mapping
        return SavedFilter(
            id=str(m["id"]),
            list=ListKind(m["list"]),
            name=m["name"],
            group=group_from_json(m["definition"]),
            owner_staff_id=m["owner_staff_id"],
            shared=m["shared"],
        )

    def _visible(self, staff_id: int) -> ColumnElement[bool]:
        sf = t.saved_filter
        return or_(sf.c.shared, sf.c.owner_staff_id == staff_id)

    async def visible(self, list_kind: ListKind | None, staff_id: int) -> list[SavedFilter]:
        sf = t.saved_filter
        query = select(sf).where(sf.c.shop_id == self.shop_id, self._visible(staff_id))
        if list_kind is not None:
            query = query.where(sf.c.list == list_kind.value)
        rows = await self.session.execute(query.order_by(sf.c.id))
        return [self._domain(r) for r in rows]

    async def create(
        self, *, list_kind: ListKind, name: str, group: Group, staff_id: int, shared: bool
    ) -> SavedFilter:
        row = (
            await self.session.execute(
                insert(t.saved_filter)
                .values(
                    shop_id=self.shop_id,
                    list=list_kind.value,
                    name=name,
                    definition=group_to_json(group),
                    owner_staff_id=staff_id,
                    shared=shared,
                )
                .returning(t.saved_filter)
            )
        ).one()
        return self._domain(row)

    async def own(self, filter_id: int, staff_id: int) -> SavedFilter:
        """One of the caller's saved filters (shared or not); others' are not found."""
        sf = t.saved_filter
        row = (
            await self.session.execute(
                select(sf).where(
                    sf.c.shop_id == self.shop_id,
                    sf.c.id == filter_id,
                    sf.c.owner_staff_id == staff_id,
                )
            )
        ).one_or_none()
        if row is None:
            raise not_your_filter()
        return self._domain(row)

    async def update(
        self,
        filter_id: int,
        staff_id: int,
        *,
        name: str | None,
        group: Group | None,
        shared: bool | None,
    ) -> SavedFilter:
        sf = t.saved_filter
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = name
        if group is not None:
            values["definition"] = group_to_json(group)
        if shared is not None:
            values["shared"] = shared
        if not values:
            return await self.own(filter_id, staff_id)
        row = (
            await self.session.execute(
                update(sf)
                .where(
                    sf.c.shop_id == self.shop_id,
                    sf.c.id == filter_id,
                    sf.c.owner_staff_id == staff_id,
                )
                .values(**values)
                .returning(sf)
            )
        ).one_or_none()
        if row is None:
            raise not_your_filter()
        return self._domain(row)

    async def delete(self, filter_id: int, staff_id: int) -> None:
        sf = t.saved_filter
        result = await self.session.execute(
            delete(sf)
            .where(sf.c.shop_id == self.shop_id, sf.c.id == filter_id)
            .where(sf.c.owner_staff_id == staff_id)
            .returning(sf.c.id)
        )
        if result.one_or_none() is None:
            raise not_your_filter()


async def counts(
    session: Any, table: Any, shop_id: int, forms: WholeSet, arguments: Mapping[str, Any]
) -> list[int]:
    """How many rows of ``table`` match each of ``forms.clauses``, in one statement."""
    if not forms.clauses:
        return []
    columns = [func.count().filter(c) for c in forms.clauses]
    statement = (
        select(*columns).select_from(forms.select_from(table)).where(table.c.shop_id == shop_id)
    )
    row = (await session.execute(statement, dict(arguments) or None)).one()
    return [int(v) for v in row]
