"""Orders with their lines, upserted by external id; customer aggregates recomputed.

The customers an order batch touches are locked (``FOR UPDATE``, in id order so two batches
cannot deadlock) before any order is written, and their aggregates are then recomputed from
their orders. Two requests for the same customer therefore serialise, and the second one
recomputes from the orders the first one committed: the figures always equal the orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.ingest import BatchOutcome, ItemError, ItemResult, item_error, validate_batch
from domain.ingest_commerce import OrderItem, validate_order
from infra import tables as t
from infra.ingest import external_ids
from infra.ingest.batch import write_isolating
from infra.segment_events import customers_changed


async def _store_ids(session: AsyncSession, shop_id: int, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = await session.execute(
        select(t.store.c.code, t.store.c.id).where(
            t.store.c.shop_id == shop_id, t.store.c.code.in_(codes)
        )
    )
    return {code: id_ for code, id_ in rows}


async def _product_ids(
    session: AsyncSession, shop_id: int, orders: Sequence[OrderItem]
) -> dict[str, int]:
    names: dict[str, str] = {}
    for order in orders:
        for line in order.lines:
            names.setdefault(line.sku, line.name or line.sku)
    if not names:
        return {}
    p = t.product
    await session.execute(
        insert(p)
        .values([{"shop_id": shop_id, "sku": sku, "name": names[sku]} for sku in sorted(names)])
        .on_conflict_do_nothing(index_elements=[p.c.shop_id, p.c.sku])
    )
    rows = await session.execute(
        select(p.c.sku, p.c.id).where(p.c.shop_id == shop_id, p.c.sku.in_(list(names)))
    )
    return {sku: id_ for sku, id_ in rows}


async def lock_customers(session: AsyncSession, shop_id: int, ids: Iterable[int]) -> None:
    c = t.customer
    await session.execute(
        select(c.c.id)
        .where(c.c.shop_id == shop_id, c.c.id.in_(sorted(set(ids))))
        .order_by(c.c.id)
        .with_for_update()
    )


async def recompute_aggregates(session: AsyncSession, shop_id: int, ids: Iterable[int]) -> None:
    """Orders count, total spent, last order and channels of ``ids``, from their orders."""
    c, o = t.customer, t.order
    wanted = sorted(set(ids))
    if not wanted:
        return
    figures = (
        select(
            o.c.customer_id,
            func.count().label("n"),
            func.sum(o.c.total_amount).label("total"),
            func.max(o.c.placed_at).label("last"),
            func.array_agg(func.distinct(o.c.channel)).label("channels"),
        )
        .where(o.c.shop_id == shop_id, o.c.customer_id.in_(wanted))
        .group_by(o.c.customer_id)
        .subquery()
    )
    await session.execute(
        update(c)
        .where(c.c.shop_id == shop_id, c.c.id.in_(wanted))
        .values(
            orders_count=func.coalesce(
                select(figures.c.n).where(figures.c.customer_id == c.c.id).scalar_subquery(), 0
            ),
            total_spent=func.coalesce(
                select(figures.c.total).where(figures.c.customer_id == c.c.id).scalar_subquery(),
                0,
            ),
            last_order_at=select(figures.c.last)
            .where(figures.c.customer_id == c.c.id)
            .scalar_subquery(),
            channels=func.coalesce(
                select(figures.c.channels).where(figures.c.customer_id == c.c.id).scalar_subquery(),
                text("'{}'::text[]"),
            ),
        )
    )


async def _write(
    session: AsyncSession,
    shop_id: int,
    now: datetime,
    items: Sequence[tuple[int, tuple[OrderItem, int, int | None]]],
    products: dict[str, int],
) -> list[ItemResult]:
    o, ol = t.order, t.order_line
    rows = [
        {
            "shop_id": shop_id,
            "external_id": order.external_id,
            "customer_id": customer_id,
            "channel": order.channel.value,
            "store_id": store_id,
            "placed_at": order.placed_at,
            "total_amount": order.total_amount,
            "created_at": now,
        }
        for _, (order, customer_id, store_id) in items
    ]
    statement = insert(o).values(rows)
    excluded = statement.excluded
    upsert = statement.on_conflict_do_update(
        index_elements=[o.c.shop_id, o.c.external_id],
        index_where=o.c.external_id.isnot(None),
        set_={
            name: excluded[name]
            for name in ("customer_id", "channel", "store_id", "placed_at", "total_amount")
        },
    ).returning(o.c.id, o.c.external_id, literal_column("xmax = 0").label("created"))
    written = (await session.execute(upsert)).all()
    order_ids = {r.external_id: r.id for r in written}
    await session.execute(
        delete(ol).where(ol.c.shop_id == shop_id, ol.c.order_id.in_(list(order_ids.values())))
    )
    lines = [
        {
            "shop_id": shop_id,
            "order_id": order_ids[order.external_id],
            "product_id": products[line.sku],
            "quantity": line.quantity,
            "amount": line.amount,
        }
        for _, (order, _, _) in items
        for line in order.lines
    ]
    if lines:
        await session.execute(insert(ol), lines)
    index_of = {order.external_id: index for index, (order, _, _) in items}
    return [ItemResult(index_of[r.external_id], r.external_id, r.id, r.created) for r in written]


async def upsert_orders(
    session: AsyncSession, shop_id: int, items: Sequence[OrderItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_order, lambda r: r.external_id)
    customers = await external_ids.customer_ids(
        session, shop_id, (order.customer_external_id for _, order in valid)
    )
    stores = await _store_ids(
        session, shop_id, {order.store_code for _, order in valid if order.store_code}
    )
    resolved: list[tuple[int, tuple[OrderItem, int, int | None]]] = []
    for index, order in valid:
        try:
            resolved.append((index, (order, *_references(order, customers, stores))))
        except DomainError as error:
            errors.append(item_error(index, error))
    previous = await ids_by_customer_of_orders(
        session, shop_id, [order.external_id for _, (order, _, _) in resolved]
    )
    touched = {customer_id for _, (_, customer_id, _) in resolved} | previous
    await lock_customers(session, shop_id, touched)
    products = await _product_ids(session, shop_id, [order for _, (order, _, _) in resolved])
    results, write_errors = await write_isolating(
        session, resolved, lambda batch: _write(session, shop_id, now, batch, products)
    )
    await recompute_aggregates(session, shop_id, touched)
    await customers_changed(session, shop_id, sorted(touched), now)
    all_errors: list[ItemError] = [*errors, *write_errors]
    return BatchOutcome(
        results=tuple(sorted(results, key=lambda r: r.index)),
        errors=tuple(sorted(all_errors, key=lambda e: e.index)),
    )


def _references(
    order: OrderItem, customers: dict[str, int], stores: dict[str, int]
) -> tuple[int, int | None]:
    customer_id = customers.get(order.customer_external_id)
    if customer_id is None:
        raise NotFound(
            f"No customer has external id {order.customer_external_id!r}; upsert the customer "
            "first.",
            field="customerExternalId",
        )
    store_id = None
    if order.store_code is not None:
        store_id = stores.get(order.store_code)
        if store_id is None:
            raise NotFound(f"No store has code {order.store_code!r}.", field="storeCode")
    return customer_id, store_id


async def ids_by_customer_of_orders(
    session: AsyncSession, shop_id: int, external_ids: Sequence[str]
) -> set[int]:
    """Customers the given orders belong to now, so moving an order updates both."""
    if not external_ids:
        return set()
    o = t.order
    rows = await session.scalars(
        select(o.c.customer_id).where(o.c.shop_id == shop_id, o.c.external_id.in_(external_ids))
    )
    return set(rows)
