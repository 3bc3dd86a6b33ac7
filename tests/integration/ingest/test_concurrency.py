"""Concurrent order batches for one customer: the aggregates still equal the orders.

These tests need several real connections that commit, so they work in a scratch database of
their own (migrated like the main one), dropped at the end; the shared test database never
sees their rows or their identity values.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from cli import migrate
from domain.customer import Channel
from domain.ingest_commerce import CustomerItem, MemberItem, OrderItem, OrderLineItem
from domain.points import PointItem, PointKind
from infra import tables as t
from infra.database import create_engine, session_factory, with_database
from infra.ingest.customers import upsert_customers
from infra.ingest.members import record_points, upsert_members
from infra.ingest.orders import upsert_orders
from infra.repositories.auth import ensure_shop
from tests.conftest import _admin

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def scratch(server_url: str) -> AsyncIterator[str]:
    name = f"customer_hub_concurrency_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        url = with_database(server_url, name)
        await asyncio.to_thread(migrate, url)
        yield url
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture(loop_scope="session")
async def committed(scratch: str) -> AsyncIterator[tuple[AsyncEngine, int]]:
    engine = create_engine(scratch, pool_size=10)
    shop_id = random.randint(10**6, 10**9)
    async with session_factory(engine)() as session:
        await ensure_shop(session, shop_id=shop_id, name="Concurrency")
        await upsert_customers(session, shop_id, [CustomerItem(external_id="k")], NOW)
        await upsert_members(
            session,
            shop_id,
            [
                MemberItem(
                    external_id="m", customer_external_id="k", member_code="M", member_since=NOW
                )
            ],
            NOW,
        )
        await session.commit()
    try:
        yield engine, shop_id
    finally:
        await engine.dispose()


def _order(key: str, amount: int, day: int) -> OrderItem:
    return OrderItem(
        external_id=key,
        customer_external_id="k",
        channel=Channel.WEB if day % 2 else Channel.POS,
        placed_at=NOW - timedelta(days=day),
        total_amount=Decimal(amount),
        lines=(OrderLineItem(sku=f"SKU-{day % 3}", quantity=1, amount=Decimal(amount)),),
    )


@pytest.mark.spec("L1", "X5")
async def test_concurrent_batches_for_one_customer_keep_exact_aggregates(
    committed: tuple[AsyncEngine, int],
) -> None:
    engine, shop_id = committed
    batches = [
        [_order(f"o-{b}-{i}", 1000 * (b + 1) + i, b + i) for i in range(5)] for b in range(8)
    ]
    # One batch is sent twice at once, as a partner's retry racing its first attempt would.
    batches.append(batches[0])

    async def send(batch: list[OrderItem]) -> None:
        async with session_factory(engine)() as session:
            await upsert_orders(session, shop_id, batch, NOW)
            await asyncio.sleep(0.01)
            await session.commit()

    results = await asyncio.gather(*(send(b) for b in batches), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []

    async with engine.connect() as connection:
        c, o = t.customer, t.order
        stored = (
            await connection.execute(
                select(c.c.orders_count, c.c.total_spent, c.c.last_order_at, c.c.channels).where(
                    c.c.shop_id == shop_id
                )
            )
        ).one()
        truth = (
            await connection.execute(
                select(func.count(), func.sum(o.c.total_amount), func.max(o.c.placed_at)).where(
                    o.c.shop_id == shop_id
                )
            )
        ).one()
    assert truth[0] == 40
    assert tuple(stored)[:3] == tuple(truth)
    assert sorted(stored.channels) == ["pos", "web"]


@pytest.mark.spec("X5")
async def test_concurrent_spends_never_overdraw_the_ledger(
    committed: tuple[AsyncEngine, int],
) -> None:
    engine, shop_id = committed
    async with session_factory(engine)() as session:
        earn = PointItem("earn", "m", PointKind.EARN, 100, NOW - timedelta(days=3))
        await record_points(session, shop_id, [earn], NOW)
        await session.commit()

    async def spend(key: str) -> int:
        async with session_factory(engine)() as session:
            outcome = await record_points(
                session, shop_id, [PointItem(key, "m", PointKind.SPEND, 30, NOW)], NOW
            )
            await session.commit()
            return len(outcome.results)

    saved = await asyncio.gather(*(spend(f"s{i}") for i in range(6)))
    assert sum(saved) == 3
    async with engine.connect() as connection:
        m, pe = t.member, t.point_entry
        balance, used = (
            await connection.execute(
                select(m.c.points_balance, m.c.points_used).where(m.c.shop_id == shop_id)
            )
        ).one()
        ledger = await connection.scalar(
            select(func.sum(pe.c.points)).where(pe.c.shop_id == shop_id)
        )
    assert (balance, used, ledger) == (10, 90, 10)
