"""Contacts shared by several customers, listed in (kind, value) order for keyset paging."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Subquery, and_, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from domain.profile_link import ContactKind, SharedContact
from infra import tables as t
from infra.repositories.base import Page

_COLUMNS = {ContactKind.EMAIL: "email_normalized", ContactKind.PHONE: "phone_normalized"}
_ORDER = sorted(ContactKind, key=lambda k: k.value)


class ProfileLinkRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    def _shared(self, after: tuple[str, str] | None) -> Subquery:
        c = t.customer
        parts = []
        for kind in _ORDER:
            value = c.c[_COLUMNS[kind]]
            keyset: ColumnElement[bool] = true()
            if after is not None:
                if after[0] > kind.value:
                    continue
                if after[0] == kind.value:
                    keyset = value > after[1]
            parts.append(
                select(
                    literal(kind.value).label("kind"),
                    value.label("value"),
                    func.array_agg(aggregate_order_by(c.c.id, c.c.id)).label("customers"),
                )
                .where(c.c.shop_id == self.shop_id, value.is_not(None), value != "", keyset)
                .group_by(value)
                .having(func.count() > 1)
            )
        return union_all(*parts).subquery("shared")

    async def page(self, *, first: int, after: tuple[str, str] | None) -> Page[SharedContact]:
        """``first`` shared contacts after ``after``, each with its customers and unlinked subscribers."""
        shared = self._shared(after)
        s = t.subscriber
        unlinked = (
            select(func.array_agg(aggregate_order_by(s.c.id, s.c.id)))
            .where(
                s.c.shop_id == self.shop_id,
                s.c.customer_id.is_(None),
                (
                    and_(
                        shared.c.kind == ContactKind.PHONE.value,
                        s.c.phone_normalized == shared.c.value,
                    )
                    | and_(
                        shared.c.kind == ContactKind.EMAIL.value,
                        s.c.email_normalized == shared.c.value,
                    )
                ),
            )
            .scalar_subquery()
        )
        query = (
            select(shared.c.kind, shared.c.value, shared.c.customers, unlinked.label("subscribers"))
            .order_by(shared.c.kind, shared.c.value)
            .limit(first + 1)
        )
        rows = (await self.session.execute(query)).all()
        items = [
            SharedContact(
                ContactKind(row.kind),
                row.value,
                tuple(row.customers),
                tuple(row.subscribers or ()),
            )
            for row in rows[:first]
        ]
        return Page(items, has_next=len(rows) > first)

    async def count(self) -> int:
        shared = self._shared(None)
        found: int | None = await self.session.scalar(select(func.count()).select_from(shared))
        return int(found or 0)
