"""The caller's shop and its staff members, read by id for the request's loaders."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.shop import Shop
from infra import tables as t
from infra.repositories.base import aligned


class ShopRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    async def get_many(self, ids: Sequence[int]) -> list[Shop | None]:
        """Only the caller's own shop is ever found."""
        rows = await self.session.execute(
            select(t.shop).where(t.shop.c.shop_id == self.shop_id, t.shop.c.shop_id.in_(ids))
        )
        found = [
            Shop(
                shop_id=row.shop_id,
                name=row.name,
                timezone=row.timezone,
                points_delay_hours=row.points_delay_hours,
                created_at=row.created_at,
            )
            for row in rows
        ]
        return aligned(ids, found, lambda shop: shop.shop_id)

    async def staff_names(self, ids: Sequence[int]) -> list[str | None]:
        rows = await self.session.execute(
            select(t.staff.c.id, t.staff.c.name).where(
                t.staff.c.shop_id == self.shop_id, t.staff.c.id.in_(ids)
            )
        )
        names = dict(rows.tuples().all())
        return [names.get(i) for i in ids]
