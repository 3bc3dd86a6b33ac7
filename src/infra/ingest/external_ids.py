"""Rows by the partner's external ids, and the external ids of merged customers
(``customer_alias``), which resolve to the customer that absorbed them: the partner system
keeps sending them after a merge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from infra import tables as t


def _by_external_id(
    table: Any, value: Any, shop_id: int, keys: Iterable[str] | None
) -> Select[Any] | None:
    """External id and ``value`` of the shop's rows of ``table`` whose external id is one of
    ``keys`` (any, for None); None when ``keys`` names none."""
    query = select(table.c.external_id, value).where(table.c.shop_id == shop_id)
    if keys is None:
        return query
    wanted = sorted(set(keys))
    return query.where(table.c.external_id.in_(wanted)) if wanted else None


async def _pairs(db: AsyncSession | AsyncConnection, query: Any) -> dict[Any, Any]:
    return {} if query is None else dict((await db.execute(query)).tuples().all())


async def ids_by_external_id(
    session: AsyncSession, table: Any, shop_id: int, keys: Iterable[str]
) -> dict[str, int]:
    return await _pairs(session, _by_external_id(table, table.c.id, shop_id, keys))


async def customer_ids(session: AsyncSession, shop_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Customer ids by external id, a merged customer's external id giving its survivor's id."""
    keys = list(keys)
    c, a = t.customer, t.customer_alias
    own = _by_external_id(c, c.c.id, shop_id, keys)
    merged = _by_external_id(a, a.c.customer_id, shop_id, keys)
    return await _pairs(session, None if own is None or merged is None else union_all(own, merged))


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
    aliases = await _pairs(db, _by_external_id(a, a.c.customer_id, shop_id, keys))
    if not aliases:
        return {}
    external = await _pairs(
        db,
        select(c.c.id, c.c.external_id).where(
            c.c.shop_id == shop_id,
            c.c.id.in_(sorted(set(aliases.values()))),
            c.c.external_id.isnot(None),
        ),
    )
    return {key: external[customer] for key, customer in aliases.items() if customer in external}


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
