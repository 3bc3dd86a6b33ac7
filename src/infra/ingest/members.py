"""Loyalty members upserted by external id, and point entries appended to the ledger.

Point entries are immutable: an entry whose external id is already recorded is reported as
saved (not created) and changes nothing, so a retried batch never counts points twice. The
members a batch touches are locked while their entries are checked and written, and their
``points_balance`` / ``points_used`` move in the same statement batch as the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Integer,
    cast,
    column,
    func,
    literal_column,
    select,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode, NotFound
from domain.ingest import BatchOutcome, ItemResult, item_error, validate_batch
from domain.ingest_commerce import MemberItem, validate_member
from domain.points import LedgerState, PointItem, PointKind, record, validate_point_item
from infra import tables as t
from infra.ingest import external_ids
from infra.ingest.batch import write_isolating


async def _taken(
    session: AsyncSession, shop_id: int, items: Sequence[tuple[int, tuple[MemberItem, int]]]
) -> tuple[dict[str, str | None], dict[int, str | None]]:
    """Member codes and customers already used, with the external id that uses them."""
    m = t.member
    codes = [item.member_code for _, (item, _) in items]
    customers = [customer_id for _, (_, customer_id) in items]
    rows = (
        await session.execute(
            select(m.c.member_code, m.c.customer_id, m.c.external_id).where(
                m.c.shop_id == shop_id,
                (m.c.member_code.in_(codes)) | (m.c.customer_id.in_(customers)),
            )
        )
    ).all()
    return (
        {r.member_code: r.external_id for r in rows},
        {r.customer_id: r.external_id for r in rows},
    )


async def _write_members(
    session: AsyncSession, shop_id: int, items: Sequence[tuple[int, tuple[MemberItem, int]]]
) -> list[ItemResult]:
    m = t.member
    statement = insert(m).values(
        [
            {
                "shop_id": shop_id,
                "external_id": item.external_id,
                "customer_id": customer_id,
                "member_code": item.member_code,
                "tier": item.tier,
                "member_since": item.member_since,
            }
            for _, (item, customer_id) in items
        ]
    )
    excluded = statement.excluded
    upsert = statement.on_conflict_do_update(
        index_elements=[m.c.shop_id, m.c.external_id],
        index_where=m.c.external_id.isnot(None),
        set_={
            "customer_id": excluded.customer_id,
            "member_code": excluded.member_code,
            "tier": func.coalesce(excluded.tier, m.c.tier),
            "member_since": excluded.member_since,
        },
    ).returning(m.c.id, m.c.external_id, literal_column("xmax = 0").label("created"))
    rows = (await session.execute(upsert)).all()
    index_of = {item.external_id: index for index, (item, _) in items}
    return [ItemResult(index_of[r.external_id], r.external_id, r.id, r.created) for r in rows]


async def upsert_members(
    session: AsyncSession, shop_id: int, items: Sequence[MemberItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_member, lambda r: r.external_id)
    customers = await external_ids.customer_ids(
        session, shop_id, (item.customer_external_id for _, item in valid)
    )
    resolved: list[tuple[int, tuple[MemberItem, int]]] = []
    for index, item in valid:
        customer_id = customers.get(item.customer_external_id)
        if customer_id is None:
            errors.append(
                item_error(
                    index,
                    NotFound(
                        f"No customer has external id {item.customer_external_id!r}.",
                        field="customerExternalId",
                    ),
                )
            )
        else:
            resolved.append((index, (item, customer_id)))
    codes, members_of = await _taken(session, shop_id, resolved)
    free: list[tuple[int, tuple[MemberItem, int]]] = []
    for index, (item, customer_id) in resolved:
        if codes.get(item.member_code, item.external_id) != item.external_id:
            error = DomainError(
                f"Member code {item.member_code!r} belongs to another member.",
                code=ErrorCode.DUPLICATE,
                field="memberCode",
            )
        elif members_of.get(customer_id, item.external_id) != item.external_id:
            error = DomainError(
                "This customer is already registered as another member.",
                code=ErrorCode.DUPLICATE,
                field="customerExternalId",
            )
        else:
            free.append((index, (item, customer_id)))
            codes[item.member_code] = item.external_id
            members_of[customer_id] = item.external_id
            continue
        errors.append(item_error(index, error))
    results, write_errors = await write_isolating(
        session, free, lambda batch: _write_members(session, shop_id, batch)
    )
    return BatchOutcome(
        results=tuple(sorted(results, key=lambda r: r.index)),
        errors=tuple(sorted([*errors, *write_errors], key=lambda e: e.index)),
    )


async def _ledgers(
    session: AsyncSession, shop_id: int, member_ids: Sequence[int], now: datetime
) -> dict[int, LedgerState]:
    """The ledger of each member, locked until the transaction ends."""
    m, pe = t.member, t.point_entry
    rows = await session.execute(
        select(m.c.id, m.c.points_balance, m.c.points_used)
        .where(m.c.shop_id == shop_id, m.c.id.in_(sorted(member_ids)))
        .order_by(m.c.id)
        .with_for_update()
    )
    states = {r.id: LedgerState(r.points_balance, r.points_used) for r in rows}
    pending = await session.execute(
        select(pe.c.member_id, pe.c.available_at, pe.c.points).where(
            pe.c.shop_id == shop_id,
            pe.c.member_id.in_(list(states)),
            pe.c.kind == PointKind.EARN.value,
            pe.c.available_at > now,
        )
    )
    for member_id, available_at, points in pending:
        state = states[member_id]
        states[member_id] = LedgerState(
            state.balance, state.used, (*state.pending, (available_at, points))
        )
    return states


async def record_points(
    session: AsyncSession, shop_id: int, items: Sequence[PointItem], now: datetime
) -> BatchOutcome:
    """Append entries in batch order, each checked against the ledger as it stands then."""
    valid, errors = validate_batch(items, validate_point_item, lambda r: r.external_id)
    members = await external_ids.ids_by_external_id(
        session, t.member, shop_id, (item.member_external_id for _, item in valid)
    )
    states = await _ledgers(session, shop_id, list(set(members.values())), now)
    recorded = await external_ids.ids_by_external_id(
        session, t.point_entry, shop_id, (item.external_id for _, item in valid)
    )
    delay = timedelta(
        hours=await session.scalar(
            select(t.shop.c.points_delay_hours).where(t.shop.c.shop_id == shop_id)
        )
        or 0
    )
    results: list[ItemResult] = []
    rows: list[dict[str, Any]] = []
    for index, item in valid:
        if item.external_id in recorded:
            results.append(ItemResult(index, item.external_id, recorded[item.external_id], False))
            continue
        member_id = members.get(item.member_external_id)
        if member_id is None:
            message = f"No member has external id {item.member_external_id!r}."
            errors.append(item_error(index, NotFound(message, field="memberExternalId")))
            continue
        try:
            states[member_id], entry = record(states[member_id], item, now=now, delay=delay)
        except DomainError as error:
            errors.append(item_error(index, error))
            continue
        rows.append(
            {
                "shop_id": shop_id,
                "external_id": entry.external_id,
                "member_id": member_id,
                "kind": entry.kind.value,
                "points": entry.points,
                "occurred_at": entry.occurred_at,
                "available_at": entry.available_at,
                "note": entry.note,
                "index": index,
            }
        )
    if rows:
        pe = t.point_entry
        inserted = await session.execute(
            insert(pe)
            .values([{k: v for k, v in row.items() if k != "index"} for row in rows])
            .returning(pe.c.id, pe.c.external_id)
        )
        index_of = {row["external_id"]: row["index"] for row in rows}
        results += [ItemResult(index_of[key], key, id_, True) for id_, key in inserted]
        touched = {row["member_id"] for row in rows}
        pending_until: dict[int, datetime] = {}
        for row in rows:
            if row["kind"] == PointKind.EARN.value:
                until = pending_until.get(row["member_id"], row["available_at"])
                pending_until[row["member_id"]] = max(until, row["available_at"])
        figures = values(
            column("member_id", BigInteger),
            column("balance", Integer),
            column("used", Integer),
            column("pending_until", TIMESTAMP(timezone=True)),
            name="figures",
        ).data(
            [(i, states[i].balance, states[i].used, pending_until.get(i)) for i in sorted(touched)]
        )
        member = t.member
        await session.execute(
            update(member)
            .where(member.c.shop_id == shop_id, member.c.id == figures.c.member_id)
            .values(
                points_balance=figures.c.balance,
                points_used=figures.c.used,
                # greatest() skips nulls: a batch without earned entries keeps the column
                points_pending_until=func.greatest(
                    member.c.points_pending_until,
                    cast(figures.c.pending_until, TIMESTAMP(timezone=True)),  # a NULL is text
                ),
            )
        )
    return BatchOutcome(
        results=tuple(sorted(results, key=lambda r: r.index)),
        errors=tuple(sorted(errors, key=lambda e: e.index)),
    )
