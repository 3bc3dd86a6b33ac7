"""X3: segment membership kept in segment_member, entries and exits emitted to the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.filters import Attr, Compare, Group, Linked, Profile, Purchased, Range, Text, TextOp
from domain.period import Last, PeriodUnit
from domain.segment import ListKind
from infra import jobs
from infra import tables as t
from infra.database import create_engine, session_factory, within
from infra.repositories.auth import ensure_shop
from infra.repositories.segments import SegmentRepository
from infra.segment_events import (
    Changes,
    customers_changed,
    customers_removed,
    drop_members,
    reevaluate_segments,
    segments_dropped,
    store_members,
    store_segments,
    subscribers_changed,
)
from tests.conftest import job_resources
from tests.factories import (
    make_customer,
    make_order,
    make_page,
    make_subscriber,
    orders_at_least,
    store_segment_members,
)

NOW = datetime(2026, 11, 23, 3, tzinfo=UTC)


@pytest.fixture
async def staff(session: AsyncSession, shop: int) -> int:
    result = await session.execute(
        insert(t.staff).values(shop_id=shop, name="Quản lý", role="owner").returning(t.staff.c.id)
    )
    return int(result.scalar_one())


async def _members(session: AsyncSession, segment_id: int) -> set[int]:
    rows = await session.execute(
        select(t.segment_member.c.customer_id).where(t.segment_member.c.segment_id == segment_id)
    )
    return set(rows.scalars())


async def segment_events(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    rows = await session.execute(
        select(t.event_outbox.c.type, t.event_outbox.c.payload)
        .where(t.event_outbox.c.type.like("segment.%"))
        .order_by(t.event_outbox.c.id)
    )
    return [(kind, dict(payload)) for kind, payload in rows]


@pytest.mark.spec("X3", "G1")
async def test_changed_customers_enter_and_leave_with_events(
    session: AsyncSession, shop: int, staff: int
) -> None:
    loyal = await make_customer(session, orders_count=3)
    newcomer = await make_customer(session, orders_count=0)
    untouched = await make_customer(session, orders_count=5)
    segments = SegmentRepository(session, shop)
    segment = await segments.create(
        name="Mua từ 2 đơn", group=orders_at_least(2), staff_id=staff, now=NOW
    )
    assert segment.members_pending
    assert await _members(session, segment.id) == set()  # the worker stores them
    assert await store_segment_members(session, NOW) == {segment.id: Changes(entered=2, left=0)}
    assert await _members(session, segment.id) == {loyal, untouched}
    assert await segment_events(session) == []  # the starting members are not changes
    stored = (await segments.get_many([segment.id]))[0]
    assert stored is not None
    assert not stored.members_pending
    assert stored.members_stored_at == NOW
    assert await store_segment_members(session, NOW) == {}

    await session.execute(update(t.customer).where(t.customer.c.id == loyal).values(orders_count=1))
    await session.execute(
        update(t.customer).where(t.customer.c.id == newcomer).values(orders_count=2)
    )
    # untouched was not reported as changed, so even a change to it is not looked at here
    await session.execute(
        update(t.customer).where(t.customer.c.id == untouched).values(orders_count=0)
    )
    await customers_changed(session, shop, [loyal, newcomer], NOW)

    assert await _members(session, segment.id) == {newcomer, untouched}
    assert await segment_events(session) == [
        ("segment.member_entered", {"segment_id": segment.id, "customer_id": newcomer}),
        ("segment.member_left", {"segment_id": segment.id, "customer_id": loyal}),
    ]
    await customers_changed(session, shop, [loyal, newcomer], NOW)
    assert len(await segment_events(session)) == 2  # nothing changed, nothing emitted

    changes = await reevaluate_segments(session, shop, NOW)
    assert changes == {segment.id: Changes(entered=0, left=1)}
    assert await _members(session, segment.id) == {newcomer}


@pytest.mark.spec("X3", "G2")
async def test_periodic_pass_follows_relative_periods_and_definition_changes(
    session: AsyncSession, shop: int, staff: int
) -> None:
    buyer = await make_customer(session)
    other = await make_customer(session, orders_count=4)
    await make_order(session, buyer, NOW - timedelta(days=10), shop_id=shop, total_amount=100_000)
    segments = SegmentRepository(session, shop)
    recent = Group((Purchased(Last(30, PeriodUnit.DAYS)),))
    segment = await segments.create(name="Mua gần đây", group=recent, staff_id=staff, now=NOW)
    await store_segment_members(session, NOW)
    assert await _members(session, segment.id) == {buyer}

    assert await reevaluate_segments(session, shop, NOW + timedelta(days=10)) == {
        segment.id: Changes(0, 0)
    }
    assert await reevaluate_segments(session, shop, NOW + timedelta(days=25)) == {
        segment.id: Changes(0, 1)
    }
    assert await _members(session, segment.id) == set()

    await segments.update(
        segment.id,
        name=None,
        group=orders_at_least(2),
        now=NOW,
    )
    assert await _members(session, segment.id) == set()  # the former definition's, until
    assert await store_segment_members(session, NOW) == {segment.id: Changes(1, 0)}
    assert await _members(session, segment.id) == {other}
    assert (await segment_events(session))[-1] == (
        "segment.member_entered",
        {"segment_id": segment.id, "customer_id": other},
    )
    await segments.delete(segment.id)
    await store_segment_members(session, NOW)  # the worker removes a deleted one's members
    assert await _members(session, segment.id) == set()


@pytest.mark.spec("X3")
async def test_scheduled_job_moves_members_as_periods_pass(
    session: AsyncSession, connection: Any, shop: int, staff: int
) -> None:
    buyer = await make_customer(session)
    await make_order(
        session, buyer, NOW - timedelta(days=20), shop_id=shop, channel="pos", total_amount=50_000
    )
    recent = Group((Purchased(Last(30, PeriodUnit.DAYS)),))
    segment = await SegmentRepository(session, shop).create(
        name="Mua 30 ngày", group=recent, staff_id=staff, now=NOW
    )
    await store_segment_members(session, NOW)
    later = NOW + timedelta(days=15)
    async with job_resources(connection, lambda: later) as resources:
        moved = await jobs.refresh_segments(timestamp=int(later.timestamp()))

    assert moved == 1
    value = resources.metrics.registry.get_sample_value
    assert value("customer_hub_segment_members_moved_total") == 1
    assert value("customer_hub_jobs_total", {"job": "refresh_segments", "outcome": "ok"}) == 1
    assert await _members(session, segment.id) == set()
    assert (await segment_events(session))[-1] == (
        "segment.member_left",
        {"segment_id": segment.id, "customer_id": buyer},
    )


@pytest.mark.spec("X3", "G3")
async def test_the_worker_stores_the_members_of_created_and_redefined_segments(
    session: AsyncSession, connection: Any, shop: int, staff: int
) -> None:
    few = await make_customer(session, orders_count=1)
    many = await make_customer(session, orders_count=6)
    segments = SegmentRepository(session, shop)
    segment = await segments.create(
        name="Từ 2 đơn", group=orders_at_least(2), staff_id=staff, now=NOW
    )
    await session.flush()

    async def worker_pass(at: datetime) -> int:
        async with job_resources(connection, lambda: at):
            return await jobs.store_segment_members(timestamp=int(at.timestamp()))

    assert await worker_pass(NOW) == 1
    assert await _members(session, segment.id) == {many}
    assert await segment_events(session) == []  # first members are where it starts
    assert await worker_pass(NOW) == 0  # nothing behind: nothing done

    later = NOW + timedelta(minutes=1)
    redefined = await segments.update(segment.id, name=None, group=orders_at_least(1), now=later)
    assert redefined.members_pending
    assert await worker_pass(later) == 1
    assert await _members(session, segment.id) == {few, many}
    assert await segment_events(session) == [
        ("segment.member_entered", {"segment_id": segment.id, "customer_id": few}),
    ]
    stored = (await segments.get_many([segment.id]))[0]
    assert stored is not None
    assert not stored.members_pending
    assert stored.members_stored_at == later

    renamed = await segments.update(segment.id, name="Từ 1 đơn", group=None, now=later)
    assert not renamed.members_pending  # a new name leaves the members as they are


@pytest.mark.spec("X3")
async def test_ingestion_leaves_a_segment_without_stored_members_to_the_worker(
    session: AsyncSession, shop: int, staff: int
) -> None:
    buyer = await make_customer(session, orders_count=0)
    segments = SegmentRepository(session, shop)
    segment = await segments.create(
        name="Đã mua", group=orders_at_least(1), staff_id=staff, now=NOW
    )
    await session.execute(update(t.customer).where(t.customer.c.id == buyer).values(orders_count=1))
    await customers_changed(session, shop, [buyer], NOW)
    assert await _members(session, segment.id) == set()
    assert await store_segment_members(session, NOW) == {segment.id: Changes(1, 0)}
    assert await _members(session, segment.id) == {buyer}
    assert await segment_events(session) == []  # among its first members, not an entry


async def _subscriber_members(session: AsyncSession, segment_id: int) -> set[int]:
    sm = t.segment_subscriber
    rows = await session.execute(select(sm.c.subscriber_id).where(sm.c.segment_id == segment_id))
    return set(rows.scalars())


@pytest.mark.spec("X3", "X1", "S9")
async def test_linked_profiles_move_each_others_segments(
    session: AsyncSession, shop: int, staff: int
) -> None:
    """A subscriber segment on its customer's orders follows that customer's changes, and a
    customer segment on its subscribers' utm campaign follows theirs."""
    page = await make_page(session)
    buyer = await make_customer(session, orders_count=1)
    chatter = await make_subscriber(session, page_id=page, customer_id=buyer)
    loner = await make_subscriber(session, page_id=page)
    segments = SegmentRepository(session, shop)
    loyal_chatters = await segments.create(
        name="Người theo dõi mua từ 2 đơn",
        list_kind=ListKind.SUBSCRIBERS,
        group=Group((Linked(Profile.CUSTOMER, Compare(Attr.ORDERS_COUNT, Range(minimum=2))),)),
        staff_id=staff,
        now=NOW,
    )
    from_sale = await segments.create(
        name="Khách từ 11.11",
        group=Group(
            (
                Linked(
                    Profile.SUBSCRIBER,
                    Compare(Attr.UTM_CAMPAIGN, Text(TextOp.EQUALS, "sale-11-11")),
                ),
            )
        ),
        staff_id=staff,
        now=NOW,
    )
    assert await store_segment_members(session, NOW) == {
        loyal_chatters.id: Changes(0, 0),
        from_sale.id: Changes(0, 0),
    }
    assert await _subscriber_members(session, loyal_chatters.id) == set()
    assert await _members(session, from_sale.id) == set()

    await session.execute(update(t.customer).where(t.customer.c.id == buyer).values(orders_count=2))
    await customers_changed(session, shop, [buyer], NOW)
    assert await _subscriber_members(session, loyal_chatters.id) == {chatter}

    for subscriber in (chatter, loner):
        await session.execute(
            update(t.subscriber)
            .where(t.subscriber.c.id == subscriber)
            .values(utm_campaign="Sale-11-11")
        )
    await subscribers_changed(session, shop, [chatter, loner], NOW)
    assert await _members(session, from_sale.id) == {buyer}
    assert await segment_events(session) == [
        ("segment.member_entered", {"segment_id": loyal_chatters.id, "subscriber_id": chatter}),
        ("segment.member_entered", {"segment_id": from_sale.id, "customer_id": buyer}),
    ]

    assert await reevaluate_segments(session, shop, NOW) == {
        loyal_chatters.id: Changes(0, 0),
        from_sale.id: Changes(0, 0),
    }
    await segments.delete(loyal_chatters.id)
    await store_segment_members(session, NOW)  # the worker removes a deleted one's members
    assert await _subscriber_members(session, loyal_chatters.id) == set()


COMMITTED_SHOP = 7301


async def _everyone_segment(sessions: Any, customers: int, *, stored: bool) -> int:
    """Committed: shop ``COMMITTED_SHOP`` with ``customers`` customers and a segment of
    everyone (its first members ``stored`` or not); the segment's id."""
    async with sessions() as setup:
        await ensure_shop(setup, shop_id=COMMITTED_SHOP, name="Hai kết nối")
        for _ in range(customers):
            await make_customer(setup, shop_id=COMMITTED_SHOP)
        segment = await SegmentRepository(setup, COMMITTED_SHOP).create(
            name="Mọi khách", group=Group(), staff_id=None, now=NOW
        )
        if stored:
            await store_members(setup, COMMITTED_SHOP, segment.id, NOW, behind_only=True)
        await setup.commit()
    return segment.id


async def _delete_waiting_for(holder: AsyncSession, deleter: AsyncSession, segment_id: int) -> None:
    """``segmentDelete``'s repository call must wait for ``holder``'s transaction, and end
    once it commits."""
    deleting = asyncio.ensure_future(SegmentRepository(deleter, COMMITTED_SHOP).delete(segment_id))
    await asyncio.sleep(0.3)
    assert not deleting.done()  # waiting for the holder's transaction
    await holder.commit()
    await deleting
    await deleter.commit()


async def _remove_shop(engine: AsyncEngine, shop_id: int) -> None:
    async with engine.begin() as cleanup:
        for table in (
            t.event_outbox,
            t.segment_dropped,
            t.segment_member,
            t.segment,
            t.customer,
            t.shop,
        ):
            await cleanup.execute(delete(table).where(table.c.shop_id == shop_id))


@pytest.mark.spec("X3")
async def test_a_delete_waits_for_the_worker_storing_the_segment_and_takes_its_members(
    engine: AsyncEngine,
) -> None:
    """Committed data and two connections: the worker's storing holds the segment's row, so a
    delete meanwhile waits for it. The delete leaves the members it stored to the worker,
    which removes them all, a bounded batch per transaction, and then the segment's
    ``segment_dropped`` row."""
    sessions = session_factory(engine)
    segment_id = await _everyone_segment(sessions, 3, stored=False)
    try:
        async with sessions() as worker, sessions() as deleter:
            stored = await store_members(worker, COMMITTED_SHOP, segment_id, NOW, behind_only=True)
            assert stored == Changes(entered=3, left=0)
            await _delete_waiting_for(worker, deleter, segment_id)
        stored_rows = (
            select(func.count())
            .select_from(t.segment_member)
            .where(t.segment_member.c.shop_id == COMMITTED_SHOP)
        )
        async with sessions() as check:
            assert await check.scalar(stored_rows) == 3
            assert await segments_dropped(check) == [(COMMITTED_SHOP, segment_id)]
        for expected in ((2, False), (1, True)):
            async with sessions() as worker:
                assert await drop_members(worker, COMMITTED_SHOP, segment_id, batch=2) == expected
                await worker.commit()
        async with sessions() as check:
            assert await check.scalar(stored_rows) == 0
            assert await segments_dropped(check) == []
    finally:
        await _remove_shop(engine, COMMITTED_SHOP)


@pytest.mark.spec("X3")
async def test_a_delete_waits_for_an_ingestion_refreshing_the_segment(
    engine: AsyncEngine,
) -> None:
    """An ingestion refreshing a stored segment holds its row in key-share mode too: a delete
    meanwhile waits, so the worker's removal after it finds the member the ingestion added
    (were the delete not to wait, the removal could run first and leave that row behind)."""
    sessions = session_factory(engine)
    segment_id = await _everyone_segment(sessions, 1, stored=True)
    try:
        async with sessions() as ingestion, sessions() as deleter:
            newcomer = await make_customer(ingestion, shop_id=COMMITTED_SHOP)
            await customers_changed(ingestion, COMMITTED_SHOP, [newcomer], NOW)
            await _delete_waiting_for(ingestion, deleter, segment_id)
        async with sessions() as worker:
            assert await drop_members(worker, COMMITTED_SHOP, segment_id) == (2, True)
            await worker.commit()
    finally:
        await _remove_shop(engine, COMMITTED_SHOP)


RACING_SHOP = 7302


async def _until_waiting(engine: AsyncEngine) -> None:
    """Until a session of this database waits for a lock (at most 5 seconds)."""
    async with engine.connect() as watcher:
        for _ in range(100):
            waiting = await watcher.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("datname = current_database() AND wait_event_type = 'Lock'"))
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("no session waited for a lock")


@pytest.mark.spec("X3")
async def test_a_change_committed_while_first_members_are_stored_reaches_them_next_pass(
    database_url: str,
) -> None:
    """Committed data and four connections. The worker's first storing of a segment ("at
    least one order") is held inside its insert, its snapshot taken, by a third session's
    uncommitted row for the same member. Meanwhile an order makes another customer match and
    its ingestion commits without waiting for the storing. The storing then ends with the
    first members as its snapshot saw them, but the segment is left behind, so the worker's
    next pass adds the new customer with its event instead of the periodic pass 15 minutes
    later."""
    engine = create_engine(database_url, pool_size=5)  # its own: five connections at once
    sessions = session_factory(engine)
    async with sessions() as setup:
        await ensure_shop(setup, shop_id=RACING_SHOP, name="Bốn kết nối")
        buyer = await make_customer(setup, shop_id=RACING_SHOP, orders_count=2)
        newcomer = await make_customer(setup, shop_id=RACING_SHOP, orders_count=0)
        segment = await SegmentRepository(setup, RACING_SHOP).create(
            name="Đã mua", group=orders_at_least(1), staff_id=None, now=NOW
        )
        await setup.commit()
    member = {"shop_id": RACING_SHOP, "segment_id": segment.id}
    try:
        # The holder is closed first, so a failure below never leaves the storing waiting.
        async with sessions() as worker, sessions() as ingestion, sessions() as holder:
            await holder.execute(insert(t.segment_member).values(**member, customer_id=buyer))
            storing = asyncio.ensure_future(
                store_members(worker, RACING_SHOP, segment.id, NOW, behind_only=True)
            )
            await _until_waiting(engine)
            # The ingestion must not wait for the storing: were it to, it fails here rather
            # than wait for a storing that waits for this test.
            await ingestion.execute(text("SET lock_timeout = '3s'"))
            c = t.customer.c
            await ingestion.execute(
                update(t.customer)
                .where(c.shop_id == RACING_SHOP, c.id == newcomer)
                .values(orders_count=1)
            )
            await customers_changed(ingestion, RACING_SHOP, [newcomer], NOW)
            await ingestion.commit()
            assert not storing.done()
            await holder.rollback()
            assert await storing == Changes(entered=1, left=0)
            await worker.commit()
        async with sessions() as check:
            assert await _members(check, segment.id) == {buyer}
            s = t.segment.c
            stored, version = (
                await check.execute(
                    select(s.members_version, s.definition_version).where(s.id == segment.id)
                )
            ).one()
            assert 0 < stored < version  # behind: the worker's next pass takes it
        async with sessions() as next_pass:
            stored_now = await store_segments(
                within(next_pass), NOW, behind_only=True, shop_id=RACING_SHOP
            )
            await next_pass.commit()
        assert stored_now == {segment.id: Changes(entered=1, left=0)}
        async with sessions() as check:
            assert await _members(check, segment.id) == {buyer, newcomer}
            o = t.event_outbox.c
            entered = await check.scalars(
                select(o.payload).where(
                    o.shop_id == RACING_SHOP, o.type == "segment.member_entered"
                )
            )
            assert [p["customer_id"] for p in entered] == [newcomer]
    finally:
        await _remove_shop(engine, RACING_SHOP)
        await engine.dispose()


@pytest.mark.spec("X3")
async def test_a_merge_ends_a_deleted_segments_memberships_without_events(
    session: AsyncSession, shop: int, staff: int
) -> None:
    """Until the worker removes a deleted segment's members, a customer merged away still has
    rows there; they go with the customer, and only the live segment's membership ends with a
    ``segment.member_left``."""
    merged = await make_customer(session, orders_count=3)
    segments = SegmentRepository(session, shop)
    kept = await segments.create(name="Còn", group=orders_at_least(1), staff_id=staff, now=NOW)
    gone = await segments.create(name="Đã xoá", group=orders_at_least(2), staff_id=staff, now=NOW)
    await store_segment_members(session, NOW)
    await segments.delete(gone.id)
    assert await _members(session, gone.id) == {merged}  # not removed yet

    assert await customers_removed(session, shop, [merged], NOW) == 1
    assert await _members(session, gone.id) == set()
    assert await segment_events(session) == [
        ("segment.member_left", {"segment_id": kept.id, "customer_id": merged})
    ]
