"""Segment membership changes as events (X3): entered / left, after customers or subscribers
change.

A customer segment's members are stored in ``segment_member``, a subscriber segment's in
``segment_subscriber``. Each refresh of a segment is one statement: the rows matching its
definition now are compared with the stored members, the ones who entered are inserted, the
ones who left deleted, and one ``segment.member_entered`` or ``segment.member_left`` row per
change goes into ``event_outbox`` in the same transaction (payload ``segment_id`` and
``customer_id`` or ``subscriber_id``). Ingestion refreshes the rows it changed and the profiles
linked to them (X1: a customer filter may ask for its subscribers' attributes and the reverse);
``reevaluate_segments`` refreshes everyone, for relative periods ("bought in the last 30 days")
that change membership as time passes; a customer merged into another leaves its segments
before it is deleted (``customers_removed``).

``segmentCreate`` and ``segmentUpdate`` only version the definition: the job worker stores the
members of a new definition (``store_members``, ``segments_to_store``), a million of them in
seconds, so no request waits for it. Until then a new segment has no stored members and
ingestion only leaves it behind its definition (``_first_storings_behind``): its first members
are stored as they are then, without events, and the pass after refreshes any change the
storing's snapshot missed. A redefined one keeps the members of its former definition, and
ingestion refreshes the changed rows against the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Table,
    any_,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from domain.events import EventType
from domain.filter_codec import group_from_json
from domain.filters import Group, Profile
from domain.segment import ListKind
from infra import tables as t
from infra.database import Transactions, within
from infra.events import emit_many
from infra.repositories.filtering import FilterRepository


@dataclass(frozen=True, slots=True)
class Membership:
    """Where the members of a segment of one list come from and are kept."""

    profile: Profile
    rows: Table
    members: Table
    key: str


MEMBERSHIPS = {
    ListKind.CUSTOMERS: Membership(Profile.CUSTOMER, t.customer, t.segment_member, "customer_id"),
    ListKind.SUBSCRIBERS: Membership(
        Profile.SUBSCRIBER, t.subscriber, t.segment_subscriber, "subscriber_id"
    ),
}


class Definition(Protocol):
    """What refreshing a segment reads of it: a domain ``Segment`` or a ``StoredSegment``."""

    @property
    def id(self) -> int: ...

    @property
    def list(self) -> ListKind: ...

    @property
    def group(self) -> Group: ...


@dataclass(frozen=True, slots=True)
class StoredSegment:
    """A segment as the periodic and ingestion refreshes read it (no name, no times)."""

    id: int
    list: ListKind
    group: Group


@dataclass(frozen=True, slots=True)
class Changes:
    entered: int
    left: int


async def refresh_segment(
    session: AsyncSession,
    shop_id: int,
    segment: Definition,
    now: datetime,
    *,
    ids: Sequence[int] | None = None,
    first: bool = False,
) -> Changes:
    """Bring the stored members of ``segment`` up to date for the customers or subscribers
    ``ids`` (None: every one of its list). ``first``: the segment was just made and has no
    stored members; its first ones are where it starts from, not changes (no events)."""
    kind = MEMBERSHIPS[segment.list]
    rows, sm, out = kind.rows, kind.members, t.event_outbox
    member = sm.c[kind.key]
    where = await FilterRepository(session, shop_id).where(
        kind.profile, segment.group.condition(), now
    )
    if first:  # nobody to compare with: a plain insert (a fifth faster than the upsert)
        first_members = insert(sm).from_select(
            ["shop_id", "segment_id", kind.key, "entered_at"],
            select(literal(shop_id), literal(segment.id), rows.c.id, literal(now)).where(
                rows.c.shop_id == shop_id, where.clause
            ),
        )
        result = await session.execute(first_members, where.arguments or None)
        return Changes(entered=result.rowcount, left=0)  # type: ignore[attr-defined]
    matching_query = select(rows.c.id).where(rows.c.shop_id == shop_id, where.clause)
    stored = [sm.c.shop_id == shop_id, sm.c.segment_id == segment.id]
    if ids is not None:
        matching_query = matching_query.where(rows.c.id.in_(ids))
        stored.append(member.in_(ids))
    matching = matching_query.cte("matching")
    row: ColumnElement[Any] = literal_column(f"{sm.name}.ctid")
    kept = select(member.label("id"), row.label("row")).where(*stored).cte("stored")
    # Who entered and who left, by a full join of the two sets, which PostgreSQL runs only as
    # a hash or merge join; the rows that left are then deleted by their physical address (a
    # member row is never updated, so it keeps it). Planned on the statistics of a membership
    # table that had just grown (a segment created a moment ago), the anti-join of the stored
    # members with the matching rows, and the delete's semi-join with the leavers, ran as
    # nested loops comparing every row with every other: minutes for 215,000 members.
    diff = (
        select(matching.c.id.label("entering"), kept.c.id.label("leaving"), kept.c.row)
        .select_from(matching.join(kept, kept.c.id == matching.c.id, full=True))
        .where(or_(matching.c.id.is_(None), kept.c.id.is_(None)))
        .cte("diff")
    )
    entered = (
        pg_insert(sm)
        .from_select(
            ["shop_id", "segment_id", kind.key, "entered_at"],
            select(literal(shop_id), literal(segment.id), diff.c.entering, literal(now)).where(
                diff.c.entering.is_not(None)
            ),
        )
        .on_conflict_do_nothing()  # a refresh of the same rows running beside this one
        .returning(member.label("member_id"))
        .cte("entered")
    )
    leaving_rows = func.array(
        select(diff.c.row).where(diff.c.leaving.is_not(None)).scalar_subquery()
    )
    left = (
        delete(sm)
        .where(row == any_(leaving_rows))  # rows of `stored`: nothing else to match them by
        .returning(member.label("member_id"))
        .cte("left_segment")
    )
    changes = (
        select(literal(EventType.SEGMENT_MEMBER_ENTERED.value).label("type"), entered.c.member_id)
        .union_all(select(literal(EventType.SEGMENT_MEMBER_LEFT.value), left.c.member_id))
        .subquery("changes")
    )
    events = (
        insert(out)
        .from_select(
            ["shop_id", "type", "payload", "created_at"],
            select(
                literal(shop_id),
                changes.c.type,
                func.jsonb_build_object("segment_id", segment.id, kind.key, changes.c.member_id),
                literal(now),
            ),
        )
        .returning(out.c.type)
        .cte("events")
    )
    statement = select(
        func.count().filter(events.c.type == EventType.SEGMENT_MEMBER_ENTERED.value),
        func.count().filter(events.c.type == EventType.SEGMENT_MEMBER_LEFT.value),
    ).select_from(events)
    entered_count, left_count = (await session.execute(statement, where.arguments or None)).one()
    return Changes(int(entered_count), int(left_count))


async def _segments(session: AsyncSession, shop_id: int) -> list[StoredSegment]:
    """The shop's segments that have stored members (ingestion refreshes only those), each
    held in key-share mode until the transaction ends: ``segmentDelete`` waits for the refresh,
    so the worker's removal of the deleted segment's members sees every row it stored."""
    s = t.segment
    rows = await session.execute(
        select(s.c.id, s.c.list, s.c.definition)
        .where(s.c.shop_id == shop_id, s.c.members_version > 0)
        .order_by(s.c.id)
        .with_for_update(read=True, key_share=True)  # FOR KEY SHARE
    )
    return [
        StoredSegment(segment_id, ListKind(kind), group_from_json(definition))
        for segment_id, kind, definition in rows
    ]


async def _first_storings_behind(session: AsyncSession, shop_id: int) -> None:
    """Leave every segment of the shop with no stored members yet behind its definition, so
    that the worker's pass after its first members refreshes it, with events, against the
    change this transaction makes.

    The worker may be storing those first members now, from a snapshot taken before the
    change, which then reaches neither them nor (the segment not being stored yet) the refresh
    in ``rows_changed``; and a customer merged away meanwhile would stay a member. The storing
    marks the members as following the version it read, now behind. This update does not wait
    for a storing, which holds the row in key-share mode, except for its last statement (the
    one marking the members stored): it then waits for that commit, finds the segment stored
    and leaves it, and the change is refreshed like any other. Rows are taken in id order, so
    two such transactions never wait for each other crosswise."""
    s = t.segment
    unstored = list(
        await session.scalars(
            select(s.c.id)
            .where(s.c.shop_id == shop_id, s.c.members_version == 0)
            .order_by(s.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE
        )
    )
    if unstored:
        await session.execute(
            update(s)
            .where(s.c.shop_id == shop_id, s.c.id.in_(unstored))
            .values(definition_version=s.c.definition_version + 1)
        )


_LOCK = 0x5E6E
"""The class of the advisory locks that keep two workers off one segment's members."""


async def store_members(
    session: AsyncSession, shop_id: int, segment_id: int, now: datetime, *, behind_only: bool
) -> Changes | None:
    """Bring the stored members of one segment in line with its definition: its first members
    (no events) when none are stored yet, else a refresh with its events. ``behind_only``:
    only if the definition changed since they were last stored. None when there is nothing to
    do (or no such segment).

    Holds, until the transaction ends, an advisory lock that keeps other workers off the
    segment and a key-share lock on its row, which ``segmentUpdate`` does not wait for but
    ``segmentDelete`` does (the worker's removal after it then finds the members stored here).
    """
    s = t.segment
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK, segment_id % 2**31)))
    row = (
        await session.execute(
            select(s.c.list, s.c.definition, s.c.definition_version, s.c.members_version)
            .where(s.c.shop_id == shop_id, s.c.id == segment_id)
            .with_for_update(read=True, key_share=True)  # FOR KEY SHARE
        )
    ).one_or_none()
    if row is None:
        return None
    kind, definition, version, stored = row
    if behind_only and stored >= version:
        return None
    segment = StoredSegment(segment_id, ListKind(kind), group_from_json(definition))
    changes = await refresh_segment(session, shop_id, segment, now, first=stored == 0)
    await session.execute(
        update(s)
        .where(s.c.shop_id == shop_id, s.c.id == segment_id)
        .values(members_version=version, members_stored_at=now)
    )
    return changes


async def segments_to_store(
    session: AsyncSession, *, behind_only: bool, shop_id: int | None = None
) -> list[tuple[int, int]]:
    """``(shop_id, segment_id)`` of every segment (of ``shop_id``, if given), or of those whose
    stored members do not follow their definition yet (``behind_only``), oldest change first."""
    s = t.segment
    query = select(s.c.shop_id, s.c.id).order_by(s.c.updated_at, s.c.id)
    if behind_only:
        query = query.where(s.c.members_version < s.c.definition_version)
    if shop_id is not None:
        query = query.where(s.c.shop_id == shop_id)
    return [(shop, segment_id) for shop, segment_id in (await session.execute(query))]


async def store_segments(
    transactions: Transactions,
    now: datetime,
    *,
    behind_only: bool,
    shop_id: int | None = None,
) -> dict[int, Changes]:
    """``store_members`` for each of ``segments_to_store``, each in a unit of work of its own
    (the job worker commits each, so a segment's locks are held no longer than its own work);
    the changes by segment id, for the segments that had something to store."""
    async with transactions() as session:
        segments = await segments_to_store(session, behind_only=behind_only, shop_id=shop_id)
    stored: dict[int, Changes] = {}
    for shop, segment_id in segments:
        async with transactions() as session:
            changes = await store_members(session, shop, segment_id, now, behind_only=behind_only)
        if changes is not None:
            stored[segment_id] = changes
    return stored


DROP_BATCH = 50_000
"""Stored members of a deleted segment removed per transaction (``drop_members``)."""


async def segments_dropped(session: AsyncSession) -> list[tuple[int, int]]:
    """``(shop_id, segment_id)`` of the deleted segments whose members are still stored, oldest
    first."""
    d = t.segment_dropped
    rows = await session.execute(
        select(d.c.shop_id, d.c.segment_id).order_by(d.c.dropped_at, d.c.segment_id)
    )
    return [(shop, segment_id) for shop, segment_id in rows]


async def drop_members(
    session: AsyncSession, shop_id: int, segment_id: int, *, batch: int = DROP_BATCH
) -> tuple[int, bool]:
    """Remove up to ``batch`` stored members of a deleted segment, by their row addresses;
    once none is left, its ``segment_dropped`` row too. Returns how many were removed and
    whether the segment is done with. Nothing reads a deleted segment's members, so a batch
    at a time keeps each transaction (and its locks and write-ahead log) bounded."""
    removed = 0
    for kind in MEMBERSHIPS.values():
        members = kind.members
        row: ColumnElement[Any] = literal_column(f"{members.name}.ctid")
        doomed = (
            select(row)
            .where(members.c.shop_id == shop_id, members.c.segment_id == segment_id)
            .limit(batch - removed)
            .scalar_subquery()
        )
        result = await session.execute(delete(members).where(row == any_(func.array(doomed))))
        removed += int(result.rowcount)  # type: ignore[attr-defined]
        if removed >= batch:
            return removed, False  # maybe more: the next call goes on
    d = t.segment_dropped
    await session.execute(delete(d).where(d.c.shop_id == shop_id, d.c.segment_id == segment_id))
    return removed, True


async def drop_in_batches(transactions: Transactions, shop_id: int, segment_id: int) -> int:
    """``drop_members`` of one deleted segment until done, a unit of work per batch; how many
    members were removed."""
    removed, done = 0, False
    while not done:
        async with transactions() as session:
            count, done = await drop_members(session, shop_id, segment_id)
        removed += count
    return removed


async def drop_segments(transactions: Transactions) -> tuple[int, int]:
    """``drop_in_batches`` for each of ``segments_dropped``: how many segments and members
    were removed."""
    async with transactions() as session:
        dropped = await segments_dropped(session)
    removed = 0
    for shop_id, segment_id in dropped:
        removed += await drop_in_batches(transactions, shop_id, segment_id)
    return len(dropped), removed


async def rows_changed(
    session: AsyncSession, shop_id: int, kind: ListKind, ids: Sequence[int], now: datetime
) -> None:
    """Called in the transaction of every ingestion that changed the customers or subscribers
    ``ids``: the segments of their list, and those of the other list for the profiles linked
    to them (a customer's subscribers, a subscriber's customer; X1)."""
    if not ids:
        return
    await _first_storings_behind(session, shop_id)
    segments = await _segments(session, shop_id)
    other = ListKind.SUBSCRIBERS if kind is ListKind.CUSTOMERS else ListKind.CUSTOMERS
    changed: dict[ListKind, Sequence[int]] = {kind: ids, other: []}
    if any(segment.list is other for segment in segments):
        s = t.subscriber
        given, linked = (
            (s.c.customer_id, s.c.id) if kind is ListKind.CUSTOMERS else (s.c.id, s.c.customer_id)
        )
        found = await session.scalars(
            select(linked).where(s.c.shop_id == shop_id, given.in_(ids), linked.is_not(None))
        )
        changed[other] = sorted(set(found))
    for segment in segments:
        if changed[segment.list]:
            await refresh_segment(session, shop_id, segment, now, ids=changed[segment.list])


async def customers_changed(
    session: AsyncSession, shop_id: int, customer_ids: Sequence[int], now: datetime
) -> None:
    await rows_changed(session, shop_id, ListKind.CUSTOMERS, customer_ids, now)


async def subscribers_changed(
    session: AsyncSession, shop_id: int, subscriber_ids: Sequence[int], now: datetime
) -> None:
    await rows_changed(session, shop_id, ListKind.SUBSCRIBERS, subscriber_ids, now)


async def customers_removed(
    session: AsyncSession, shop_id: int, customer_ids: Sequence[int], now: datetime
) -> int:
    """Called before ``customer_ids`` are deleted (merged into another customer): they leave
    every segment they are in, each with a ``segment.member_left`` event (the membership tables
    have no foreign keys, so nothing else would remove the rows). Returns how many memberships
    ended."""
    if not customer_ids:
        return 0
    await _first_storings_behind(session, shop_id)
    sm = t.segment_member
    rows = await session.execute(
        delete(sm)
        .where(sm.c.shop_id == shop_id, sm.c.customer_id.in_(customer_ids))
        .returning(sm.c.segment_id, sm.c.customer_id)
    )
    ended = sorted(rows.tuples())
    # Rows of a deleted segment, not yet removed by the worker, end without an event.
    live = set(
        await session.scalars(
            select(t.segment.c.id).where(
                t.segment.c.shop_id == shop_id,
                t.segment.c.id.in_({segment_id for segment_id, _ in ended}),
            )
        )
    )
    payloads = [
        {"segment_id": segment_id, "customer_id": customer_id}
        for segment_id, customer_id in ended
        if segment_id in live
    ]
    await emit_many(session, shop_id, EventType.SEGMENT_MEMBER_LEFT, payloads, now)
    return len(payloads)


async def reevaluate_segments(
    session: AsyncSession, shop_id: int, now: datetime
) -> dict[int, Changes]:
    """Refresh every segment of the shop against every customer and subscriber (the periodic
    pass); one whose members were never stored gets its first ones."""
    return await store_segments(within(session), now, behind_only=False, shop_id=shop_id)
