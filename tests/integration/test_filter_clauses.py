"""A condition whose rows do not depend on the clock is compiled once and its clause reused;
one with a period is reused for the shop's local day; one on available points is reused too,
and run at each request's own instant, given as its argument."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import create_app
from domain import filters as f
from domain.filters import Attr, Profile, uses_instant, uses_periods
from domain.period import Last, PeriodUnit, instant_bounds
from infra import tables as t
from infra.filter_sql.scope import INSTANT
from infra.repositories.filtering import FilterRepository
from infra.repositories.segments import SegmentRepository
from infra.segment_events import refresh_segment
from infra.settings import Settings
from tests.conftest import FIXED_NOW, OTHER_SHOP_ID, SHOP_ID, _session
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
        found = await repo.where(Profile.CUSTOMER, RECENT, now_offset)
        assert found.arguments == {}
        query = (
            select(func.count())
            .select_from(t.customer)
            .where(t.customer.c.shop_id == SHOP_ID, found.clause)
        )
        return int((await session.execute(query)).scalar_one())

    today = (await repo.where(Profile.CUSTOMER, RECENT, FIXED_NOW)).clause
    assert (await repo.where(Profile.CUSTOMER, RECENT, late)).clause is today
    assert (await repo.where(Profile.CUSTOMER, RECENT, next_day)).clause is not today
    assert await buyers(late) == 1
    assert await buyers(next_day) == 0  # the window moved past that day at local midnight


async def _half_pending(session: AsyncSession, customer: int) -> None:
    """Make ``customer`` a member with 150 points earned, 100 of them available only tomorrow:
    50 available today, all 150 from tomorrow on."""
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


async def test_a_clock_free_clause_is_reused_and_a_points_clause_follows_the_clock(
    session: AsyncSession, shop: int
) -> None:
    repo = FilterRepository(session, shop)
    customer = await make_customer(session, carrier="viettel")
    await _half_pending(session, customer)

    first = await repo.where(Profile.CUSTOMER, CARRIER, FIXED_NOW)
    again = await repo.where(Profile.CUSTOMER, CARRIER, FIXED_NOW + timedelta(days=9))
    other_shop = await FilterRepository(session, OTHER_SHOP_ID).where(
        Profile.CUSTOMER, CARRIER, FIXED_NOW
    )
    assert again.clause is first.clause
    assert other_shop.clause is not first.clause

    async def members_with_points(now_offset: timedelta) -> int:
        found = await repo.where(Profile.MEMBER, POINTS, FIXED_NOW + now_offset)
        assert found.arguments == {INSTANT: FIXED_NOW + now_offset}
        query = (
            select(func.count())
            .select_from(t.member)
            .where(t.member.c.shop_id == SHOP_ID, found.clause)
        )
        return int((await session.execute(query, dict(found.arguments))).scalar_one())

    # 150 earned, 100 of it still pending today (50 available), all of it in two days.
    assert await members_with_points(timedelta(0)) == 0
    assert await members_with_points(timedelta(days=2)) == 1
    assert await members_with_points(timedelta(0)) == 0  # the kept clause, back at today
    today = await repo.where(Profile.MEMBER, POINTS, FIXED_NOW)
    assert (await repo.where(Profile.MEMBER, POINTS, FIXED_NOW + timedelta(days=2))).clause is (
        today.clause
    )


POINTS_LISTS = """
query Points($filter: ProfileFilter, $definition: GroupInput!) {
  customers(first: 5, filter: $filter) { totalCount nodes { fullName } }
  byName: customers(first: 5, filter: $filter, orderBy: {by: NAME, direction: ASC}) {
    nodes { fullName }
  }
  members(first: 5, filter: $filter) { totalCount nodes { memberCode } }
  segmentPreview(definition: $definition, first: 5) {
    count
    members { fullName }
    conditions { field count }
  }
}
"""


async def test_a_kept_points_filter_runs_at_each_requests_instant(
    connection: AsyncConnection,
    session: AsyncSession,
    shop: int,
    token: str,
    driver_fetches: list[str],
) -> None:
    pending = await make_customer(session, full_name="Phạm Thị Chờ")
    await _half_pending(session, pending)
    rich = await make_customer(session, full_name="Lê Văn Đủ")
    await make_member(session, customer_id=rich, points_balance=500, member_code="M-RICH")
    await make_customer(session, full_name="Không Là Thành Viên")
    await session.flush()
    clock = [FIXED_NOW]
    app = create_app(
        settings=Settings(graphiql=False),
        sessions=lambda: _session(connection),
        now=lambda: clock[0],
    )
    points = {"points": {"min": 100}}
    variables = {"filter": points, "definition": {"include": [points]}}

    async def lists() -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": POINTS_LISTS, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]

    def names(data: dict[str, Any]) -> list[list[str]]:
        return [
            [n["fullName"] for n in data["customers"]["nodes"]],
            [n["fullName"] for n in data["byName"]["nodes"]],
            [n["fullName"] for n in data["segmentPreview"]["members"]],
        ]

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        today = [await lists() for _ in range(3)]  # SQLAlchemy, then kept statements
        assert (
            driver_fetches
        )  # the later requests' page and count were read from the kept statements
        clock[0] = FIXED_NOW + timedelta(days=2)  # the 100 pending points are available now
        later = [await lists() for _ in range(2)]
        clock[0] = FIXED_NOW
        back = await lists()

    assert today[0] == today[1] == today[2] == back
    assert names(today[0]) == [["Lê Văn Đủ"]] * 3
    assert today[0]["customers"]["totalCount"] == today[0]["segmentPreview"]["count"] == 1
    assert today[0]["members"] == {"totalCount": 1, "nodes": [{"memberCode": "M-RICH"}]}
    assert today[0]["segmentPreview"]["conditions"] == [
        {"field": "definition.include.0.points", "count": 1}
    ]
    assert later[0] == later[1]
    assert names(later[0]) == [["Lê Văn Đủ", "Phạm Thị Chờ"]] * 3  # newest first, by name
    assert later[0]["customers"]["totalCount"] == later[0]["segmentPreview"]["count"] == 2
    assert later[0]["members"]["totalCount"] == 2
    codes = [n["memberCode"] for n in later[0]["members"]["nodes"]]
    assert len(codes) == 2
    assert codes[0] == "M-RICH"  # newest first
    assert later[0]["segmentPreview"]["conditions"][0]["count"] == 2


async def test_segment_membership_follows_the_instant_of_a_points_condition(
    session: AsyncSession, shop: int
) -> None:
    customer = await make_customer(session, full_name="Phạm Thị Chờ")
    await _half_pending(session, customer)
    staff = await session.scalar(
        insert(t.staff).values(shop_id=shop, name="Quản lý", role="owner").returning(t.staff.c.id)
    )
    assert staff is not None
    group = f.Group((POINTS,))
    segment = await SegmentRepository(session, shop).create(
        name="Đủ điểm", group=group, staff_id=staff, now=FIXED_NOW
    )

    today = await refresh_segment(session, shop, segment, FIXED_NOW)
    later = await refresh_segment(session, shop, segment, FIXED_NOW + timedelta(days=2))
    again = await refresh_segment(session, shop, segment, FIXED_NOW)

    assert (today.entered, today.left) == (0, 0)
    assert (later.entered, later.left) == (1, 0)
    assert (again.entered, again.left) == (0, 1)
