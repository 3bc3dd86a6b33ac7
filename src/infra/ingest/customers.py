"""Customers upserted by external id, then linked to subscribers (X1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import Gender
from domain.ingest import BatchOutcome, ItemResult, LinkConflict, validate_batch
from domain.ingest_commerce import CustomerItem, CustomerRecord, validate_customer
from infra import tables as t
from infra.ingest.batch import write_isolating
from infra.ingest.linking import link_subscribers
from infra.segment_events import customers_changed

# Fields a later upsert overwrites only when it carries a value.
KEEP_WHEN_ABSENT = (
    "first_name",
    "last_name",
    "full_name",
    "birthday",
    "email",
    "email_normalized",
    "phone",
    "phone_normalized",
    "carrier",
    "address",
    "province",
    "district",
    "ward",
)


def _row(shop_id: int, record: CustomerRecord, now: datetime) -> dict[str, Any]:
    item = record.item
    return {
        "shop_id": shop_id,
        "external_id": item.external_id,
        "first_name": item.first_name,
        "last_name": item.last_name,
        "full_name": record.full_name,
        "gender": (item.gender or Gender.UNKNOWN).value,
        "birthday": item.birthday,
        "email": item.email.strip() if item.email else None,
        "email_normalized": record.email_normalized,
        "phone": item.phone.strip() if item.phone else None,
        "phone_normalized": record.phone_normalized,
        "carrier": record.carrier,
        "address": item.address,
        "province": item.province,
        "district": item.district,
        "ward": item.ward,
        "created_at": item.created_at or now,
        "updated_at": now,
    }


async def _write(
    session: AsyncSession, shop_id: int, now: datetime, items: Sequence[tuple[int, CustomerRecord]]
) -> list[ItemResult]:
    c = t.customer
    statement = insert(c).values([_row(shop_id, record, now) for _, record in items])
    excluded = statement.excluded
    updates: dict[str, Any] = {
        name: func.coalesce(excluded[name], c.c[name]) for name in KEEP_WHEN_ABSENT
    }
    updates["gender"] = case(
        (excluded.gender == Gender.UNKNOWN.value, c.c.gender), else_=excluded.gender
    )
    updates["updated_at"] = excluded.updated_at
    upsert = statement.on_conflict_do_update(
        index_elements=[c.c.shop_id, c.c.external_id],
        index_where=c.c.external_id.isnot(None),
        set_=updates,
    ).returning(c.c.id, c.c.external_id, literal_column("xmax = 0").label("created"))
    rows = (await session.execute(upsert)).all()
    index_of = {record.item.external_id: index for index, record in items}
    return [
        ItemResult(
            index=index_of[r.external_id], external_id=r.external_id, id=r.id, created=r.created
        )
        for r in rows
    ]


async def upsert_customers(
    session: AsyncSession, shop_id: int, items: Sequence[CustomerItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_customer, lambda r: r.item.external_id)
    results, write_errors = await write_isolating(
        session, valid, lambda batch: _write(session, shop_id, now, batch)
    )
    conflicts: list[LinkConflict] = []
    if results:
        index_of = {r.id: r.index for r in results}
        ambiguous = await link_subscribers(session, shop_id, customer_ids=[r.id for r in results])
        for subscriber_id, customer_ids in ambiguous:
            index = min(index_of[i] for i in customer_ids if i in index_of)
            conflicts.append(LinkConflict(index, subscriber_id, customer_ids))
        await customers_changed(session, shop_id, [r.id for r in results], now)
    return BatchOutcome(
        results=tuple(sorted(results, key=lambda r: r.index)),
        errors=tuple(sorted([*errors, *write_errors], key=lambda e: e.index)),
        conflicts=tuple(conflicts),
    )
