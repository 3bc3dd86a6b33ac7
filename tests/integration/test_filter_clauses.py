"""A condition whose rows do not depend on the clock is compiled once and its clause reused;
one on available points or a relative period is compiled for each moment asked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import filters as f
from domain.filters import Attr, Profile, uses_clock
from domain.period import Last, PeriodUnit
from infra import tables as t
from infra.repositories.filtering import FilterRepository
from tests.conftest import FIXED_NOW, OTHER_SHOP_ID, SHOP_ID
from tests.factories import make_customer, make_member

pytestmark = pytest.mark.spec("S6", "L4")

CARRIER = f.AnyOf(Attr.CARRIER, ("viettel",))
POINTS = f.Linked(Profile.MEMBER, f.Compare(Attr.POINTS, f.Range(Decimal(100), None)))
RECENT = f.Purchased((), Last(30, PeriodUnit.DAYS))


def test_only_points_and_periods_depend_on_the_clock() -> None:
    assert not uses_clock(f.And((CARRIER, f.Not(f.Compare(Attr.ORDERS_COUNT, f.Range(1, 2))))))
    assert uses_clock(f.Or((CARRIER, f.Not(POINTS))))
    assert uses_clock(f.And((CARRIER, RECENT)))


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
