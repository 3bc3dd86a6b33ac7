"""Loyalty members; pending points come from ledger entries not yet available."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row

from domain.member import Member
from infra import tables as t
from infra.repositories.base import TableRepository


class MemberRepository(TableRepository[Member]):
    table = t.member

    def to_domain(self, row: Row[Any]) -> Member:
        m = row._mapping
        return Member(
            shop_id=m["shop_id"],
            id=m["id"],
            external_id=m["external_id"],
            customer_id=m["customer_id"],
            member_code=m["member_code"],
            tier=m["tier"],
            member_since=m["member_since"],
            points_balance=m["points_balance"],
            points_used=m["points_used"],
        )

    async def by_customer_ids(self, customer_ids: Sequence[int]) -> list[Member | None]:
        if not customer_ids:
            return []
        rows = await self.session.execute(
            self.scoped().where(t.member.c.customer_id.in_(customer_ids))
        )
        by_customer = {m.customer_id: m for m in map(self.to_domain, rows)}
        return [by_customer.get(c) for c in customer_ids]

    async def pending_points(self, member_ids: Sequence[int], now: datetime) -> list[int]:
        """Points earned but not yet available at ``now``, aligned to ``member_ids``."""
        if not member_ids:
            return []
        pe = t.point_entry
        rows = await self.session.execute(
            select(pe.c.member_id, func.sum(pe.c.points))
            .where(
                pe.c.shop_id == self.shop_id,
                pe.c.member_id.in_(member_ids),
                pe.c.kind == "earn",
                pe.c.available_at > now,
            )
            .group_by(pe.c.member_id)
        )
        found = {member_id: int(total) for member_id, total in rows}
        return [found.get(i, 0) for i in member_ids]
