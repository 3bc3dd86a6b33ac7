"""The shop: the tenant every record belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Shop:
    shop_id: int
    name: str
    timezone: str
    points_delay_hours: int
    created_at: datetime
