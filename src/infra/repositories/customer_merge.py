"""Merging duplicate customers (X1, X3): everything they own moves to the survivor.

Orders, taggings, the loyalty membership, subscribers and threads move; the merged customers'
external ids resolve to the survivor from then on (``customer_alias``); the survivor fills
its empty contact fields from the merged customers, its aggregates are recomputed from the
orders it now has, subscribers left unlinked because they matched several of these customers
are linked when the match is now unique, the merged customers leave their segments and the
survivor's membership is refreshed (``segment.member_left`` / ``entered``), and
``customer.merged`` goes to the outbox, all in the caller's transaction. The customers involved are locked first, in id order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Table, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import OPTIONAL_FIELDS
from domain.customer_merge import MergeOutcome, check_memberships
from domain.errors import NotFound
from domain.events import EventType
from infra import tables as t
from infra.events import emit
from infra.ingest.external_ids import absorb
from infra.ingest.linking import link_subscribers
from infra.ingest.orders import lock_customers, recompute_aggregates
from infra.segment_events import customers_changed, customers_removed


async def _moved(
    session: AsyncSession, table: Table, shop_id: int, survivor: int, merged: Sequence[int]
) -> list[int]:
    rows = await session.scalars(
        update(table)
        .where(table.c.shop_id == shop_id, table.c.customer_id.in_(merged))
        .values(customer_id=survivor)
        .returning(table.c.id)
    )
    return list(rows)


async def merge_customers(
    session: AsyncSession,
    shop_id: int,
    survivor_id: int,
    merged_ids: Sequence[int],
    now: datetime,
) -> MergeOutcome:
    c, m = t.customer, t.member
    everyone = [survivor_id, *merged_ids]
    await lock_customers(session, shop_id, everyone)
    rows = {
        r.id: r
        for r in await session.execute(
            select(c).where(c.c.shop_id == shop_id, c.c.id.in_(everyone))
        )
    }
    if survivor_id not in rows:
        raise NotFound("No such customer in this shop.", field="input.survivorId")
    for index, merged_id in enumerate(merged_ids):
        if merged_id not in rows:
            raise NotFound("No such customer in this shop.", field=f"input.mergedIds.{index}")
    members = dict(
        (
            await session.execute(
                select(m.c.customer_id, m.c.id).where(
                    m.c.shop_id == shop_id, m.c.customer_id.in_(everyone)
                )
            )
        ).all()
    )
    check_memberships(survivor_id in members, sum(1 for i in merged_ids if i in members))
    merged = list(merged_ids)

    orders = await _moved(session, t.order, shop_id, survivor_id, merged)
    subscribers = await _moved(session, t.subscriber, shop_id, survivor_id, merged)
    threads = await _moved(session, t.thread, shop_id, survivor_id, merged)
    member_moved = await _moved(session, t.member, shop_id, survivor_id, merged)
    ct = t.customer_tag
    await session.execute(
        insert(ct)
        .from_select(
            ["shop_id", "customer_id", "tag_id", "tagged_at", "tagged_by"],
            select(
                ct.c.shop_id,
                literal(survivor_id, BigInteger),
                ct.c.tag_id,
                func.min(ct.c.tagged_at),
                func.min(ct.c.tagged_by),
            )
            .where(ct.c.shop_id == shop_id, ct.c.customer_id.in_(merged))
            .group_by(ct.c.shop_id, ct.c.tag_id),
        )
        .on_conflict_do_nothing()
    )

    survivor = rows[survivor_id]
    fills: dict[str, object] = {}
    # The survivor takes each field it has none of from the first merged customer with one.
    for name in OPTIONAL_FIELDS:
        if getattr(survivor, name) is None:
            found = next(
                (getattr(rows[i], name) for i in merged if getattr(rows[i], name) is not None),
                None,
            )
            if found is not None:
                fills[name] = found
    if survivor.gender == "unknown":
        known = next((rows[i].gender for i in merged if rows[i].gender != "unknown"), None)
        if known is not None:
            fills["gender"] = known
    merged_external = [rows[i].external_id for i in merged if rows[i].external_id is not None]
    if survivor.external_id is None and merged_external:
        fills["external_id"] = merged_external[0]
    # The partner system still knows the merged customers by their external ids.
    kept_as_aliases = [key for key in merged_external if key != fills.get("external_id")]
    await absorb(session, shop_id, survivor_id, merged, kept_as_aliases, now)
    await customers_removed(session, shop_id, merged, now)
    await session.execute(delete(c).where(c.c.shop_id == shop_id, c.c.id.in_(merged)))
    await session.execute(
        update(c)
        .where(c.c.shop_id == shop_id, c.c.id == survivor_id)
        .values(**fills, updated_at=now)
    )
    await recompute_aggregates(session, shop_id, [survivor_id])
    await link_subscribers(session, shop_id, customer_ids=[survivor_id])
    await customers_changed(session, shop_id, [survivor_id], now)
    outcome = MergeOutcome(
        survivor_id=survivor_id,
        merged_ids=tuple(merged),
        moved_orders=len(orders),
        moved_subscribers=len(subscribers),
        moved_threads=len(threads),
        moved_member_id=member_moved[0] if member_moved else None,
    )
    await emit(
        session,
        shop_id,
        EventType.CUSTOMER_MERGED,
        {
            "survivorId": survivor_id,
            "survivorExternalId": survivor.external_id or fills.get("external_id"),
            "mergedIds": list(merged),
            "mergedExternalIds": merged_external,
            "movedOrders": len(orders),
            "movedSubscribers": len(subscribers),
            "movedThreads": len(threads),
            "movedMemberId": outcome.moved_member_id,
        },
        now,
    )
    return outcome
