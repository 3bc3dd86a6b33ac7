"""Rows by the partner's external ids, and the external ids of merged customers
(``customer_alias``), which resolve to the customer that absorbed them: the partner system
keeps sending them after a merge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from infra import tables as t


async def ids_by_external_id(
    session: AsyncSession, table: Any, shop_id: int, keys: Iterable[str]
) -> dict[str, int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = await session.execute(
        select(table.c.external_id, table.c.id).where(
            table.c.shop_id == shop_id, table.c.external_id.in_(wanted)
        )
    )
    return {key: id_ for key, id_ in rows}


async def customer_ids(session: AsyncSession, shop_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Customer ids by external id, a merged customer's external id giving its survivor's id."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    c, a = t.customer, t.customer_alias
    rows = await session.execute(
        union_all(
            select(c.c.external_id, c.c.id).where(
                c.c.shop_id == shop_id, c.c.external_id.in_(wanted)
            ),
            select(a.c.external_id, a.c.customer_id).where(
                a.c.shop_id == shop_id, a.c.external_id.in_(wanted)
            ),
        )
    )
    return {key: id_ for key, id_ in rows}


async def survivors(
    db: AsyncSession | AsyncConnection, shop_id: int, keys: Iterable[str] | None
) -> dict[str, str]:
    """For each of ``keys`` (every one, for None) that belonged to a merged customer, the
    external id of the customer that absorbed it (a survivor of a merge always has one: it
    takes a merged customer's when it had none).

    The aliases are read first, then their customers by key: joined in one statement right
    after a bulk load into a shop, the planner took the shop for one of a single customer and
    read the join the other way round."""
    a, c = t.customer_alias, t.customer
    query = select(a.c.external_id, a.c.customer_id).where(a.c.shop_id == shop_id)
    if keys is not None:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        query = query.where(a.c.external_id.in_(wanted))
    aliases = (await db.execute(query)).tuples().all()
    if not aliases:
        return {}
    external = dict(
        (
            await db.execute(
                select(c.c.id, c.c.external_id).where(
                    c.c.shop_id == shop_id,
                    c.c.id.in_(sorted({customer for _, customer in aliases})),
                    c.c.external_id.isnot(None),
                )
            )
        )
        .tuples()
        .all()
    )
    return {key: external[customer] for key, customer in aliases if customer in external}


async def absorb(
    session: AsyncSession,
    shop_id: int,
    survivor_id: int,
    merged_ids: Sequence[int],
    external_ids: Sequence[str],
    now: datetime,
) -> None:
    """Keep ``external_ids`` (of the merged customers) and the aliases the merged customers
    held as aliases of the survivor; before the merged customers are deleted."""
    a = t.customer_alias
    await session.execute(
        update(a)
        .where(a.c.shop_id == shop_id, a.c.customer_id.in_(merged_ids))
        .values(customer_id=survivor_id)
    )
    if external_ids:
        await session.execute(
            insert(a).values(
                [
                    {
                        "shop_id": shop_id,
                        "external_id": key,
                        "customer_id": survivor_id,
                        "merged_at": now,
                    }
                    for key in external_ids
                ]
            )
        )
