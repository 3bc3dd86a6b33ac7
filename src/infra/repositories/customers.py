"""Customers and what the lists show of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from domain.customer import Channel, Customer, Gender
from infra import tables as t
from infra.repositories.base import TableRepository

# Enum lookups by value through a dict: calling the enum costs more than the rest of the row.
_GENDERS = {g.value: g for g in Gender}
_CHANNELS = {c.value: c for c in Channel}


class CustomerRepository(TableRepository[Customer]):
    table = t.customer

    def to_domain(self, row: Row[Any]) -> Customer:
        m = row._mapping
        return Customer(
            shop_id=m["shop_id"],
            id=m["id"],
            external_id=m["external_id"],
            first_name=m["first_name"],
            last_name=m["last_name"],
            full_name=m["full_name"],
            gender=_GENDERS[m["gender"]],
            birthday=m["birthday"],
            email=m["email"],
            phone=m["phone"],
            phone_normalized=m["phone_normalized"],
            carrier=m["carrier"],
            address=m["address"],
            province=m["province"],
            district=m["district"],
            ward=m["ward"],
            created_at=m["created_at"],
            orders_count=m["orders_count"],
            total_spent=m["total_spent"],
            last_order_at=m["last_order_at"],
            channels=tuple(_CHANNELS[c] for c in m["channels"]),
        )
