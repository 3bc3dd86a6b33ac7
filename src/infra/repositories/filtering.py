"""What filtering needs from the database besides the rows: time zone, custom fields, WHERE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.filters import Condition, Profile, uses_periods
from infra import tables as t
from infra.filter_sql import scope_for, where


class FilterRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    async def timezone(self) -> str:
        zone = await self.session.scalar(
            select(t.shop.c.timezone).where(t.shop.c.shop_id == self.shop_id)
        )
        return zone or "Asia/Ho_Chi_Minh"

    async def custom_field_types(self) -> dict[str, str]:
        rows = await self.session.execute(
            select(t.custom_field.c.key, t.custom_field.c.type).where(
                t.custom_field.c.shop_id == self.shop_id
            )
        )
        return {key: kind for key, kind in rows}

    async def where(
        self, list_profile: Profile, condition: Condition, now: datetime
    ) -> ColumnElement[bool]:
        """The WHERE clause of a list (customers, members or subscribers) for ``condition``.

        Members are filtered through their customer, so customer and member attributes mix.
        """
        zone = await self.timezone() if uses_periods(condition) else "UTC"
        if list_profile is not Profile.MEMBER:
            return where(condition, scope_for(list_profile, self.shop_id, now, zone))
        customer = t.customer.alias("mc")
        scope = scope_for(Profile.CUSTOMER, self.shop_id, now, zone)
        scope = type(scope)(Profile.CUSTOMER, customer, self.shop_id, now, zone)
        return exists().where(
            customer.c.shop_id == self.shop_id,
            customer.c.id == t.member.c.customer_id,
            where(condition, scope),
        )
