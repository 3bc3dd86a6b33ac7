"""Customers and what the lists show of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true, tuple_, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Row
from sqlalchemy.types import NullType

from domain.customer import Channel, Customer, Gender
from domain.tag import Tag
from infra import tables as t
from infra.repositories.base import TableRepository, grouped

# Enum lookups by value through a dict: calling the enum costs more than the rest of the row.
_GENDERS = {g.value: g for g in Gender}
_CHANNELS = {c.value: c for c in Channel}

# A row is read with the domain fields' columns only, in their order (not the folded copies
# and bookkeeping columns filters use), and by position: a page reads fifty rows, and a lookup
# by column name cost more than building the customer.
_FIELDS = list(Customer._fields)
_GENDER = _FIELDS.index("gender")
_CHANNELS_AT = _FIELDS.index("channels")


class CustomerRepository(TableRepository[Customer]):
    table = t.customer
    columns = tuple(t.customer.c[name] for name in _FIELDS)
    rows_by_position = True

    def to_domain(self, row: Row[Any]) -> Customer:
        """A customer from a row that starts with ``columns`` (maybe with more after them)."""
        values = list(row[: len(_FIELDS)])
        values[_GENDER] = _GENDERS[values[_GENDER]]
        values[_CHANNELS_AT] = tuple(_CHANNELS[c] for c in values[_CHANNELS_AT])
        return Customer._make(values)

    def tags_column(self) -> ColumnElement[Any]:
        """A customer's tags by name, as one array of records on the customer's own row: a page
        gets its rows' tags in its own statement (read them with ``tags_of``)."""
        return _TAGS_COLUMN

    async def merged_external_ids(self, ids: Sequence[int]) -> list[list[str]]:
        """For each of ``ids``, the external ids of the customers merged into it (its
        aliases), oldest merge first."""
        a = t.customer_alias
        rows = await self.session.execute(
            select(a.c.customer_id, a.c.external_id)
            .where(a.c.shop_id == self.shop_id, a.c.customer_id.in_(ids))
            .order_by(a.c.merged_at, a.c.external_id)
        )
        return grouped(ids, rows, lambda r: r.customer_id, lambda r: r.external_id)

    def tags_of(self, value: Any) -> list[Tag]:
        """The tags in a value of ``tags_column``."""
        return [
            Tag(shop_id=self.shop_id, id=r[0], page_id=r[1], folder_id=r[2], name=r[3], color=r[4])
            for r in value or ()
        ]


def _tags_column() -> ColumnElement[Any]:
    """Each link's tag is read by its primary key, through a LATERAL subquery that OFFSET 0
    keeps from being flattened. As a plain join, the planner hashed the shop's whole tag
    table again for every customer of the page that has a tag (387 tags, up to 51 times):
    0.39 ms of a 0.59 ms page, against 0.14 ms for the probes."""
    tag, tagged = t.tag, t.customer_tag
    named = (
        select(tag.c.id, tag.c.page_id, tag.c.folder_id, tag.c.name, tag.c.color)
        .where(tag.c.shop_id == tagged.c.shop_id, tag.c.id == tagged.c.tag_id)
        .offset(0)
        .lateral("named")
    )
    fields = tuple_(named.c.id, named.c.page_id, named.c.folder_id, named.c.name, named.c.color)
    found = (
        select(func.array_agg(aggregate_order_by(fields, named.c.name)))
        .select_from(tagged.join(named, true()))
        .where(tagged.c.shop_id == t.customer.c.shop_id, tagged.c.customer_id == t.customer.c.id)
        .scalar_subquery()
    )
    return type_coerce(found, NullType()).label("tags")


_TAGS_COLUMN = _tags_column()  # correlated on the customer row: no per-shop value in it
