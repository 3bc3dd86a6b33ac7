"""Segment membership changes as events (X3): entered / left, after customers change.

Membership is stored in ``segment_member``; evaluating a segment's definition needs the SQL
compiler of the filters, so until it is wired in here this hook records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


async def customers_changed(
    session: AsyncSession, shop_id: int, customer_ids: Sequence[int], now: datetime
) -> None:
    """Called in the transaction of every ingestion that changed ``customer_ids``."""
    return None
