"""The transactional outbox: events are rows written in the transaction of the change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import EventType
from infra import tables as t

__all__ = ["EventType", "emit", "emit_many"]


async def emit_many(
    session: AsyncSession,
    shop_id: int,
    type: EventType,
    payloads: Sequence[dict[str, Any]],
    now: datetime,
) -> None:
    if not payloads:
        return
    await session.execute(
        insert(t.event_outbox),
        [
            {"shop_id": shop_id, "type": type.value, "payload": payload, "created_at": now}
            for payload in payloads
        ],
    )


async def emit(
    session: AsyncSession, shop_id: int, type: EventType, payload: dict[str, Any], now: datetime
) -> None:
    await emit_many(session, shop_id, type, [payload], now)
