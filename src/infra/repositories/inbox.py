"""The merged inbox read side: merge mode, rows by person, their summaries, threads and tags.

A row is a person (``thread.person_key``: the customer id, or minus the thread id for a thread
resolved to no customer). A row's place is its newest matching thread, so the first page walks
threads newest first and keeps those with no newer matching thread of the same person; the
``ix_thread_person`` index answers that probe, and the cursor is the newest thread's
(last_message_at, id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import FromClause

from domain.conversation import Thread
from domain.inbox import AVATAR_PREFERENCE, InboxFilter, InboxRow, RowPosition, RowSummary
from domain.tag import Tag
from infra import tables as t
from infra.repositories.base import Page
from infra.repositories.social import TagRepository, ThreadRepository


@dataclass(frozen=True, slots=True)
class InboxScope:
    """The pages an inbox covers and the filter its threads must match."""

    page_ids: tuple[int, ...]
    filter: InboxFilter


def thread_conditions(
    thread: FromClause, shop_id: int, scope: InboxScope
) -> list[ColumnElement[bool]]:
    """SPEC C7 as SQL over one alias of ``thread``; an empty list of values matches nothing."""
    c = thread.c
    f = scope.filter
    pages = set(scope.page_ids)
    if f.page_ids is not None:
        pages &= set(f.page_ids)
    where: list[ColumnElement[bool]] = [c.shop_id == shop_id, c.page_id.in_(sorted(pages))]
    if f.channels is not None:
        where.append(c.channel.in_([ch.value for ch in f.channels]))
    if f.kind is not None:
        where.append(c.kind == f.kind.value)
    if f.unread is not None:
        where.append((c.unread_count > 0) if f.unread else (c.unread_count == 0))
    if f.unanswered is not None:
        where.append(c.answered.is_(not f.unanswered))
    if f.has_phone is not None:
        has = c.phone_normalized.is_not(None)
        where.append(has if f.has_phone else ~has)
    if f.has_order is not None:
        where.append(c.has_order.is_(f.has_order))
    if f.assigned_staff_ids is not None:
        where.append(c.assigned_staff_id.in_(f.assigned_staff_ids))
    if f.since is not None:
        where.append(c.last_message_at >= f.since)
    if f.until is not None:
        where.append(c.last_message_at < f.until)
    if f.tag_ids is not None:
        tagged = t.thread_tag
        where.append(
            exists().where(
                tagged.c.shop_id == c.shop_id,
                tagged.c.thread_id == c.id,
                tagged.c.tag_id.in_(f.tag_ids),
            )
        )
    return where


class InboxRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.threads = ThreadRepository(session, shop_id)
        self.tags = TagRepository(session, shop_id)

    async def merge_mode(self, staff_id: int) -> bool:
        value = await self.session.scalar(
            select(t.staff.c.merge_mode).where(
                t.staff.c.shop_id == self.shop_id, t.staff.c.id == staff_id
            )
        )
        return bool(value)

    async def merge_settings(self, staff_id: int) -> tuple[bool, list[int]]:
        """Whether merge mode is on, and the merged pages (one statement)."""
        merged = t.staff_merged_page
        pages = (
            select(func.coalesce(func.array_agg(merged.c.page_id), literal([], ARRAY(BigInteger))))
            .where(merged.c.shop_id == self.shop_id, merged.c.staff_id == staff_id)
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(t.staff.c.merge_mode, pages).where(
                    t.staff.c.shop_id == self.shop_id, t.staff.c.id == staff_id
                )
            )
        ).one()
        return bool(row[0]), sorted(row[1])

    async def set_merge(
        self, staff_id: int, *, enabled: bool, page_ids: Sequence[int] | None
    ) -> None:
        await self.session.execute(
            update(t.staff)
            .where(t.staff.c.shop_id == self.shop_id, t.staff.c.id == staff_id)
            .values(merge_mode=enabled)
        )
        if page_ids is None:
            return
        merged = t.staff_merged_page
        await self.session.execute(
            delete(merged).where(merged.c.shop_id == self.shop_id, merged.c.staff_id == staff_id)
        )
        await self.session.execute(
            insert(merged),
            [{"shop_id": self.shop_id, "staff_id": staff_id, "page_id": p} for p in page_ids],
        )

    async def rows(
        self, scope: InboxScope, *, first: int, after: RowPosition | None
    ) -> Page[InboxRow]:
        t1, t2 = t.thread.alias("t1"), t.thread.alias("t2")
        newer = exists().where(
            t2.c.person_key == t1.c.person_key,
            tuple_(t2.c.last_message_at, t2.c.id) > tuple_(t1.c.last_message_at, t1.c.id),
            *thread_conditions(t2, self.shop_id, scope),
        )
        query = select(t1.c.person_key, t1.c.customer_id, t1.c.id, t1.c.last_message_at).where(
            *thread_conditions(t1, self.shop_id, scope), ~newer
        )
        if after is not None:
            query = query.where(
                tuple_(t1.c.last_message_at, t1.c.id)
                < tuple_(after.last_message_at, after.thread_id)
            )
        query = query.order_by(t1.c.last_message_at.desc(), t1.c.id.desc()).limit(first + 1)
        found = (await self.session.execute(query)).all()
        rows = [InboxRow(r.person_key, r.customer_id, r.id, r.last_message_at) for r in found]
        return Page(rows[:first], has_next=len(rows) > first)

    async def summaries(self, scope: InboxScope, keys: Sequence[int]) -> list[RowSummary]:
        th, sub = t.thread, t.subscriber
        rank = case(
            *[(th.c.channel == ch.value, i) for i, ch in enumerate(AVATAR_PREFERENCE)],
            else_=len(AVATAR_PREFERENCE),
        )
        avatars = func.array_agg(
            aggregate_order_by(sub.c.avatar_url, rank, th.c.last_message_at.desc())
        ).filter(sub.c.avatar_url.is_not(None))
        query = (
            select(
                th.c.person_key,
                func.count(),
                func.count().filter(th.c.unread_count > 0),
                func.bool_or(th.c.chatbot_paused),
                avatars[1],
            )
            .select_from(
                th.join(sub, and_(sub.c.shop_id == th.c.shop_id, sub.c.id == th.c.subscriber_id))
            )
            .where(th.c.person_key.in_(keys), *thread_conditions(th, self.shop_id, scope))
            .group_by(th.c.person_key)
        )
        found = {
            key: RowSummary(int(count), int(unread), bool(paused), avatar)
            for key, count, unread, paused, avatar in (await self.session.execute(query)).all()
        }
        return [found.get(k, RowSummary(0, 0, False, None)) for k in keys]

    async def newest_threads(
        self, scope: InboxScope, keys: Sequence[int], limit: int
    ) -> list[list[Thread]]:
        """The ``limit`` newest matching threads of each person, newest first (one statement)."""
        people = (
            func.unnest(literal(list(keys), ARRAY(BigInteger)))
            .table_valued("person_key")
            .render_derived(name="people")
        )
        th = t.thread
        newest = (
            select(th)
            .where(
                th.c.person_key == people.c.person_key, *thread_conditions(th, self.shop_id, scope)
            )
            .order_by(th.c.last_message_at.desc(), th.c.id.desc())
            .limit(limit)
            .lateral("newest")
        )
        query = select(newest).select_from(people.join(newest, true()))
        found: dict[int, list[Thread]] = {k: [] for k in keys}
        for row in (await self.session.execute(query)).all():
            found[row.person_key].append(self.threads.to_domain(row))
        for items in found.values():
            items.sort(key=lambda x: (x.last_message_at, x.id), reverse=True)
        return [found[k] for k in keys]

    async def thread_page(
        self, scope: InboxScope, key: int, *, first: int, after: RowPosition | None
    ) -> Page[Thread]:
        th = t.thread
        query = select(th).where(
            th.c.person_key == key, *thread_conditions(th, self.shop_id, scope)
        )
        if after is not None:
            query = query.where(
                tuple_(th.c.last_message_at, th.c.id)
                < tuple_(after.last_message_at, after.thread_id)
            )
        query = query.order_by(th.c.last_message_at.desc(), th.c.id.desc()).limit(first + 1)
        found = [self.threads.to_domain(r) for r in (await self.session.execute(query)).all()]
        return Page(found[:first], has_next=len(found) > first)

    async def tags_of_people(self, scope: InboxScope, keys: Sequence[int]) -> list[list[Tag]]:
        """Tags of all matching threads of each person, newest thread first (one statement)."""
        th, tagged = t.thread, t.thread_tag
        query = (
            select(th.c.person_key, t.tag)
            .select_from(
                th.join(
                    tagged, and_(tagged.c.shop_id == th.c.shop_id, tagged.c.thread_id == th.c.id)
                ).join(
                    t.tag, and_(t.tag.c.shop_id == tagged.c.shop_id, t.tag.c.id == tagged.c.tag_id)
                )
            )
            .where(th.c.person_key.in_(keys), *thread_conditions(th, self.shop_id, scope))
            .order_by(th.c.person_key, th.c.last_message_at.desc(), th.c.id.desc(), t.tag.c.name)
        )
        found: dict[int, list[Tag]] = {k: [] for k in keys}
        for row in (await self.session.execute(query)).all():
            found[row.person_key].append(self.tags.to_domain(row))
        return [found[k] for k in keys]

    async def tags_of_pages(self, page_ids: Sequence[int]) -> list[Tag]:
        rows = await self.session.execute(
            select(t.tag)
            .where(t.tag.c.shop_id == self.shop_id, t.tag.c.page_id.in_(page_ids))
            .order_by(t.tag.c.page_id, t.tag.c.name)
        )
        return [self.tags.to_domain(r) for r in rows]

    async def row_count(self, scope: InboxScope) -> int:
        th = t.thread
        query = select(func.count(func.distinct(th.c.person_key))).where(
            *thread_conditions(th, self.shop_id, scope)
        )
        return int(await self.session.scalar(query) or 0)

    async def page_ids(self) -> list[int]:
        """Pages still on the account (connected or lost), oldest first."""
        rows = await self.session.scalars(
            select(t.page.c.id)
            .where(t.page.c.shop_id == self.shop_id, t.page.c.connection_state != "disconnected")
            .order_by(t.page.c.id)
        )
        return list(rows)
