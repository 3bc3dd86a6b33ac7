"""X3 by construction: whatever the sequence of definition changes, customer changes, the
worker's passes storing new definitions' members and its periodic passes, a segment's stored
members are exactly what a plain model of them says (after either pass: the customers its
definition matches now), and its events, replayed from its first members, lead to the same
set, each one a real change (nobody enters twice, nobody leaves who was not in)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from infra import tables as t
from infra.database import SerialSession
from infra.repositories.segments import SegmentRepository
from infra.segment_events import customers_changed, reevaluate_segments
from tests.conftest import SHOP_ID
from tests.factories import orders_at_least, store_segment_members

NOW = datetime(2026, 11, 23, 3, tzinfo=UTC)

# A step: ("define", k) sets the definition to "at least k orders"; ("change", {index: orders})
# changes some customers and reports them; ("store", None) is the worker's pass over segments
# created or redefined since; ("pass", None) the periodic refresh of every segment.
steps = st.one_of(
    st.tuples(st.just("define"), st.integers(0, 5)),
    st.tuples(
        st.just("change"), st.dictionaries(st.integers(0, 11), st.integers(0, 5), min_size=1)
    ),
    st.tuples(st.sampled_from(["store", "pass"]), st.none()),
)


async def stored(session: AsyncSession, segment_id: int) -> set[int]:
    sm = t.segment_member
    rows = await session.scalars(select(sm.c.customer_id).where(sm.c.segment_id == segment_id))
    return set(rows)


@pytest.mark.spec("X3", "G3")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    orders=st.lists(st.integers(0, 5), min_size=1, max_size=12),
    first=st.integers(0, 5),
    plan=st.lists(steps, min_size=1, max_size=8),
)
async def test_stored_members_and_events_follow_every_change(
    connection: AsyncConnection,
    shop: int,
    orders: list[int],
    first: int,
    plan: list[tuple[str, object]],
) -> None:
    savepoint = await connection.begin_nested()
    session = SerialSession(bind=connection, join_transaction_mode="create_savepoint")
    try:
        c = t.customer
        ids = [
            await session.scalar(
                insert(c).values(shop_id=SHOP_ID, orders_count=n).returning(c.c.id)
            )
            for n in orders
        ]
        current = dict(zip(ids, orders, strict=True))
        threshold = first
        segments = SegmentRepository(session, SHOP_ID)
        segment = await segments.create(
            name="P", group=orders_at_least(first), staff_id=None, now=NOW
        )
        model: set[int] | None = None  # none stored until the worker's first pass
        first_members: set[int] = set()
        behind = True

        for kind, value in plan:
            matching = {i for i, n in current.items() if n >= threshold}
            if kind == "define":
                assert isinstance(value, int)
                threshold = value
                await segments.update(segment.id, name=None, group=orders_at_least(value), now=NOW)
                behind = True
            elif kind == "change":
                assert isinstance(value, dict)
                changed = {ids[i % len(ids)]: n for i, n in value.items()}
                for customer_id, n in changed.items():
                    await session.execute(
                        update(c).where(c.c.id == customer_id).values(orders_count=n)
                    )
                current.update(changed)
                await customers_changed(session, SHOP_ID, sorted(changed), NOW)
                if model is not None:  # the changed rows follow the current definition
                    model -= set(changed)
                    model |= {i for i in changed if current[i] >= threshold}
            else:
                if kind == "store":
                    await store_segment_members(session, NOW)
                else:
                    await reevaluate_segments(session, SHOP_ID, NOW)
                if model is None:
                    first_members = set(matching)
                if behind or kind == "pass":
                    model = set(matching)
                behind = False
            assert await stored(session, segment.id) == (model or set()), (kind, value)

        o = t.event_outbox
        events = await session.execute(
            select(o.c.type, o.c.payload)
            .where(o.c.type.like("segment.%"), o.c.payload["segment_id"].as_integer() == segment.id)
            .order_by(o.c.id)
        )
        replayed = set(first_members)
        for kind, payload in events:
            who = payload["customer_id"]
            if kind == "segment.member_entered":
                assert who not in replayed, "entered twice"
                replayed.add(who)
            else:
                assert who in replayed, "left without being in"
                replayed.remove(who)
        assert replayed == await stored(session, segment.id)
    finally:
        await session.close()
        await savepoint.rollback()
