"""X1: subscribers (and their threads) linked to the one customer sharing a phone or e-mail.

A subscriber whose phone or e-mail matches several customers is never linked: which person
it is cannot be told from the data, so the match is reported instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, and_, column, func, or_, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t


async def link_subscribers(
    session: AsyncSession,
    shop_id: int,
    *,
    subscriber_ids: Sequence[int] | None = None,
    customer_ids: Sequence[int] | None = None,
) -> list[tuple[int, tuple[int, ...]]]:
    """Link unlinked subscribers; returns (subscriber id, customer ids) of ambiguous matches.

    Candidates are the given subscribers, or the subscribers matching the given customers.
    """
    s, c = t.subscriber, t.customer
    matches = or_(
        and_(s.c.phone_normalized.isnot(None), c.c.phone_normalized == s.c.phone_normalized),
        and_(s.c.email_normalized.isnot(None), c.c.email_normalized == s.c.email_normalized),
    )
    query = (
        select(s.c.id, func.array_agg(func.distinct(c.c.id)).label("customers"))
        .join(c, and_(c.c.shop_id == s.c.shop_id, matches))
        .where(s.c.shop_id == shop_id, s.c.customer_id.is_(None))
        .group_by(s.c.id)
    )
    if subscriber_ids is not None:
        query = query.where(s.c.id.in_(subscriber_ids))
    if customer_ids is not None:
        given = t.customer.alias("given")
        query = query.where(
            select(given.c.id)
            .where(
                given.c.shop_id == shop_id,
                given.c.id.in_(customer_ids),
                or_(
                    given.c.phone_normalized == s.c.phone_normalized,
                    given.c.email_normalized == s.c.email_normalized,
                ),
            )
            .exists()
        )
    found = (await session.execute(query)).all()
    unique = {row.id: row.customers[0] for row in found if len(row.customers) == 1}
    ambiguous = [(row.id, tuple(sorted(row.customers))) for row in found if len(row.customers) > 1]
    if unique:
        pairs = values(
            column("subscriber_id", BigInteger), column("customer_id", BigInteger), name="pairs"
        ).data(list(unique.items()))
        await session.execute(
            update(s)
            .where(
                s.c.shop_id == shop_id,
                s.c.id == pairs.c.subscriber_id,
                s.c.customer_id.is_(None),
            )
            .values(customer_id=pairs.c.customer_id)
        )
        th = t.thread
        await session.execute(
            update(th)
            .where(
                th.c.shop_id == shop_id,
                th.c.subscriber_id.in_(list(unique)),
                th.c.customer_id.is_(None),
            )
            .values(
                customer_id=select(s.c.customer_id)
                .where(s.c.shop_id == shop_id, s.c.id == th.c.subscriber_id)
                .scalar_subquery()
            )
        )
    return ambiguous
