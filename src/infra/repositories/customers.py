"""Customers and what the lists show of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Row
from sqlalchemy.types import NullType

from domain.customer import Channel, Customer, Gender
from domain.tag import Tag
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

    def tags_column(self) -> ColumnElement[Any]:
        """A customer's tags by name, as one array of records on the customer's own row: a page
        gets its rows' tags in its own statement (read them with ``tags_of``)."""
        tag, tagged = t.tag, t.customer_tag
        fields = tuple_(tag.c.id, tag.c.page_id, tag.c.folder_id, tag.c.name, tag.c.color)
        found = (
            select(func.array_agg(aggregate_order_by(fields, tag.c.name)))
            .select_from(
                tagged.join(
                    tag, (tag.c.shop_id == tagged.c.shop_id) & (tag.c.id == tagged.c.tag_id)
                )
            )
            .where(
                tagged.c.shop_id == t.customer.c.shop_id, tagged.c.customer_id == t.customer.c.id
            )
            .scalar_subquery()
        )
        return type_coerce(found, NullType()).label("tags")

    def tags_of(self, value: Any) -> list[Tag]:
        """The tags in a value of ``tags_column``."""
        return [
            Tag(shop_id=self.shop_id, id=r[0], page_id=r[1], folder_id=r[2], name=r[3], color=r[4])
            for r in value or ()
        ]
