"""Customers upserted by external id, then linked to subscribers (X1). The external id of a
merged customer updates the customer that absorbed it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import OPTIONAL_FIELDS, Gender
from domain.errors import DomainError, ErrorCode
from domain.ingest import (
    BatchOutcome,
    ItemError,
    ItemResult,
    LinkConflict,
    item_error,
    validate_batch,
)
from domain.ingest_commerce import CustomerItem, CustomerRecord, validate_customer
from infra import tables as t
from infra.ingest import external_ids
from infra.ingest.batch import write_isolating
from infra.ingest.linking import link_subscribers
from infra.segment_events import customers_changed


def _row(shop_id: int, record: CustomerRecord, key: str, now: datetime) -> dict[str, Any]:
    item = record.item
    return {
        "shop_id": shop_id,
        "external_id": key,
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


def updated(excluded: Any) -> dict[str, Any]:
    """What an upsert sets on a stored customer from its new row (``excluded``): the optional
    fields the row carries, its gender unless unknown, and the update time."""
    c = t.customer.c
    return {
        **{name: func.coalesce(excluded[name], c[name]) for name in OPTIONAL_FIELDS},
        "gender": case((excluded.gender == Gender.UNKNOWN.value, c.gender), else_=excluded.gender),
        "updated_at": excluded.updated_at,
    }


Keyed = tuple[CustomerRecord, str]
"""A customer to write, and the external id of the row it goes to: its own, or for the external
id of a merged customer, the survivor's."""


async def _write(
    session: AsyncSession, shop_id: int, now: datetime, items: Sequence[tuple[int, Keyed]]
) -> list[ItemResult]:
    c = t.customer
    statement = insert(c).values([_row(shop_id, record, key, now) for _, (record, key) in items])
    upsert = statement.on_conflict_do_update(
        index_elements=[c.c.shop_id, c.c.external_id],
        index_where=c.c.external_id.isnot(None),
        set_=updated(statement.excluded),
    ).returning(c.c.id, c.c.external_id, literal_column("xmax = 0").label("created"))
    rows = (await session.execute(upsert)).all()
    sent = {key: (index, record.item.external_id) for index, (record, key) in items}
    return [
        ItemResult(
            index=sent[r.external_id][0],
            external_id=sent[r.external_id][1],
            id=r.id,
            created=r.created,
        )
        for r in rows
    ]


def merged_twice(earlier: str, survivor: str, merged: str) -> str:
    """Why a later item or line is not written: an earlier one updates the same customer, one
    through its own external id and the other through a merged customer's."""
    return (
        f"{earlier} already updates the customer with external id {survivor!r} "
        f"({merged!r} was merged into it); the first wins."
    )


async def _keyed(
    session: AsyncSession, shop_id: int, valid: Sequence[tuple[int, CustomerRecord]]
) -> tuple[list[tuple[int, Keyed]], list[ItemError]]:
    """Each valid customer with the row it updates. The external id of a merged customer
    updates the survivor; where the batch also sends the survivor, or another customer merged
    into it, the first of them is written and the later ones are refused, as a repeated
    external id is."""
    survivor_of = await external_ids.survivors(
        session, shop_id, (record.item.external_id for _, record in valid)
    )
    claimed: dict[str, tuple[int, str]] = {}  # row's external id: the first item, what it sent
    keyed: list[tuple[int, Keyed]] = []
    errors: list[ItemError] = []
    for index, record in valid:
        sent = record.item.external_id
        key = survivor_of.get(sent, sent)
        earlier, earlier_sent = claimed.setdefault(key, (index, sent))
        if earlier == index:
            keyed.append((index, (record, key)))
            continue
        merged = sent if sent != key else earlier_sent
        error = DomainError(
            merged_twice(f"Item {earlier}", key, merged),
            code=ErrorCode.DUPLICATE,
            field="externalId",
        )
        errors.append(item_error(index, error))
    return keyed, errors


async def upsert_customers(
    session: AsyncSession, shop_id: int, items: Sequence[CustomerItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_customer, lambda r: r.item.external_id)
    keyed, repeated = await _keyed(session, shop_id, valid)
    results, write_errors = await write_isolating(
        session, keyed, lambda batch: _write(session, shop_id, now, batch)
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
        errors=tuple(sorted([*errors, *repeated, *write_errors], key=lambda e: e.index)),
        conflicts=tuple(conflicts),
    )
