"""A condition whose rows do not depend on the clock is compiled once and its clause reused;
one with a period is reused for the shop's local day; one on available points is compiled for
each moment asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import filters as f
from domain.filters import Attr, Profile, uses_instant, uses_periods
from domain.period import Last, PeriodUnit, instant_bounds
from infra import tables as t
from infra.repositories.filtering import FilterRepository
from tests.conftest import FIXED_NOW, OTHER_SHOP_ID, SHOP_ID
from tests.factories import make_customer, make_member

pytestmark = pytest.mark.spec("S6", "L4")

CARRIER = f.AnyOf(Attr.CARRIER, ("viettel",))
POINTS = f.Linked(Profile.MEMBER, f.Compare(Attr.POINTS, f.Range(Decimal(100), None)))
RECENT = f.Purchased(Last(30, PeriodUnit.DAYS))


def test_points_depend_on_the_instant_and_periods_on_the_day() -> None:
    plain = f.And((CARRIER, f.Not(f.Compare(Attr.ORDERS_COUNT, f.Range(1, 2)))))
    assert not uses_instant(plain)
    assert not uses_periods(plain)
    assert uses_instant(f.Or((CARRIER, f.Not(POINTS))))
    assert not uses_instant(f.And((CARRIER, RECENT)))
    assert uses_periods(f.And((CARRIER, RECENT)))


async def test_a_period_clause_is_kept_for_the_shops_local_day(
    session: AsyncSession, shop: int
) -> None:
    repo = FilterRepository(session, shop)
    zone = await repo.timezone()
    start, _ = instant_bounds(Last(30, PeriodUnit.DAYS), FIXED_NOW, zone)
    assert start is not None
    await make_customer(session, last_order_at=start)  # first day of today's 30-day window
    await session.flush()
    late = FIXED_NOW + timedelta(hours=13, minutes=59)  # 23:59 the same day in Ho Chi Minh City
    next_day = FIXED_NOW + timedelta(hours=14)

    async def buyers(now_offset: datetime) -> int:
        clause = await repo.where(Profile.CUSTOMER, RECENT, now_offset)
        query = (
            select(func.count())
            .select_from(t.customer)
            .where(t.customer.c.shop_id == SHOP_ID, clause)
        )
        return int((await session.execute(query)).scalar_one())

    today = await repo.where(Profile.CUSTOMER, RECENT, FIXED_NOW)
    assert await repo.where(Profile.CUSTOMER, RECENT, late) is today
    assert await repo.where(Profile.CUSTOMER, RECENT, next_day) is not today
    assert await buyers(late) == 1
    assert await buyers(next_day) == 0  # the window moved past that day at local midnight


async def test_a_clock_free_clause_is_reused_and_a_points_clause_follows_the_clock(
    session: AsyncSession, shop: int
) -> None:
    repo = FilterRepository(session, shop)
    customer = await make_customer(session, carrier="viettel")
    member = await make_member(
        session,
        customer_id=customer,
        points_balance=150,
        points_pending_until=FIXED_NOW + timedelta(days=1),
    )
    await session.execute(
        insert(t.point_entry).values(
            shop_id=SHOP_ID,
            member_id=member,
            kind="earn",
            points=100,
            occurred_at=FIXED_NOW,
            available_at=FIXED_NOW + timedelta(days=1),
        )
    )

    first = await repo.where(Profile.CUSTOMER, CARRIER, FIXED_NOW)
    again = await repo.where(Profile.CUSTOMER, CARRIER, FIXED_NOW + timedelta(days=9))
    other_shop = await FilterRepository(session, OTHER_SHOP_ID).where(
        Profile.CUSTOMER, CARRIER, FIXED_NOW
    )
    assert again is first
    assert other_shop is not first

    async def members_with_points(now_offset: timedelta) -> int:
        clause = await repo.where(Profile.MEMBER, POINTS, FIXED_NOW + now_offset)
        query = (
            select(func.count()).select_from(t.member).where(t.member.c.shop_id == SHOP_ID, clause)
        )
        return int((await session.execute(query)).scalar_one())

    # 150 earned, 100 of it still pending today (50 available), all of it in two days.
    assert await members_with_points(timedelta(0)) == 0
    assert await members_with_points(timedelta(days=2)) == 1
