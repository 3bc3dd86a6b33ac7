"""Segment membership changes as events (X3): entered / left, after customers change.

Membership is stored in ``segment_member``. Each refresh of a segment is one statement: the
customers matching its definition now are compared with the stored members, the ones who
entered are inserted, the ones who left deleted, and one ``segment.member_entered`` or
``segment.member_left`` row per change goes into ``event_outbox`` in the same transaction.
Ingestion refreshes the customers it changed; ``reevaluate_segments`` refreshes everyone, for
relative periods ("bought in the last 30 days") that change membership as time passes; a
customer merged into another leaves its segments before it is deleted (``customers_removed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import EventType
from domain.filter_codec import group_from_json
from domain.filters import Group, Profile
from infra import tables as t
from infra.events import emit_many
from infra.repositories.filtering import FilterRepository


@dataclass(frozen=True, slots=True)
class Changes:
    entered: int
    left: int


async def refresh_segment(
    session: AsyncSession,
    shop_id: int,
    segment_id: int,
    group: Group,
    now: datetime,
    *,
    customer_ids: Sequence[int] | None = None,
    emit: bool = True,
) -> Changes:
    """Bring ``segment_member`` up to date for ``customer_ids`` (None: every customer)."""
    c, sm, out = t.customer, t.segment_member, t.event_outbox
    where = await FilterRepository(session, shop_id).where(Profile.CUSTOMER, group.condition(), now)
    matching_query = select(c.c.id).where(c.c.shop_id == shop_id, where.clause)
    stored = [sm.c.shop_id == shop_id, sm.c.segment_id == segment_id]
    if customer_ids is not None:
        matching_query = matching_query.where(c.c.id.in_(customer_ids))
        stored.append(sm.c.customer_id.in_(customer_ids))
    matching = matching_query.cte("matching")
    entered = (
        pg_insert(sm)
        .from_select(
            ["shop_id", "segment_id", "customer_id", "entered_at"],
            select(literal(shop_id), literal(segment_id), matching.c.id, literal(now)),
        )
        .on_conflict_do_nothing()
        .returning(sm.c.customer_id)
        .cte("entered")
    )
    left = (
        delete(sm)
        .where(*stored, ~select(matching.c.id).where(matching.c.id == sm.c.customer_id).exists())
        .returning(sm.c.customer_id)
        .cte("left_segment")
    )
    if not emit:
        statement = select(
            select(func.count()).select_from(entered).scalar_subquery(),
            select(func.count()).select_from(left).scalar_subquery(),
        )
    else:
        changes = (
            select(
                literal(EventType.SEGMENT_MEMBER_ENTERED.value).label("type"), entered.c.customer_id
            )
            .union_all(select(literal(EventType.SEGMENT_MEMBER_LEFT.value), left.c.customer_id))
            .subquery("changes")
        )
        events = (
            insert(out)
            .from_select(
                ["shop_id", "type", "payload", "created_at"],
                select(
                    literal(shop_id),
                    changes.c.type,
                    func.jsonb_build_object(
                        "segment_id", segment_id, "customer_id", changes.c.customer_id
                    ),
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


async def _segments(session: AsyncSession, shop_id: int) -> list[tuple[int, Group]]:
    rows = await session.execute(
        select(t.segment.c.id, t.segment.c.definition)
        .where(t.segment.c.shop_id == shop_id)
        .order_by(t.segment.c.id)
    )
    return [(segment_id, group_from_json(definition)) for segment_id, definition in rows]


async def customers_changed(
    session: AsyncSession, shop_id: int, customer_ids: Sequence[int], now: datetime
) -> None:
    """Called in the transaction of every ingestion that changed ``customer_ids``."""
    if not customer_ids:
        return
    for segment_id, group in await _segments(session, shop_id):
        await refresh_segment(session, shop_id, segment_id, group, now, customer_ids=customer_ids)


async def customers_removed(
    session: AsyncSession, shop_id: int, customer_ids: Sequence[int], now: datetime
) -> int:
    """Called before ``customer_ids`` are deleted (merged into another customer): they leave
    every segment they are in, each with a ``segment.member_left`` event. The delete's cascade
    would drop their memberships without one. Returns how many memberships ended."""
    if not customer_ids:
        return 0
    sm = t.segment_member
    rows = await session.execute(
        delete(sm)
        .where(sm.c.shop_id == shop_id, sm.c.customer_id.in_(customer_ids))
        .returning(sm.c.segment_id, sm.c.customer_id)
    )
    payloads = [
        {"segment_id": segment_id, "customer_id": customer_id}
        for segment_id, customer_id in sorted(rows.tuples())
    ]
    await emit_many(session, shop_id, EventType.SEGMENT_MEMBER_LEFT, payloads, now)
    return len(payloads)


async def reevaluate_segments(
    session: AsyncSession, shop_id: int, now: datetime
) -> dict[int, Changes]:
    """Refresh every segment of the shop against every customer (the periodic pass)."""
    return {
        segment_id: await refresh_segment(session, shop_id, segment_id, group, now)
        for segment_id, group in await _segments(session, shop_id)
    }


async def shops_with_segments(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(t.segment.c.shop_id).distinct().order_by(t.segment.c.shop_id)
    )
    return list(rows.scalars())
