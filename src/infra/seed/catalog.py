"""What every chunk generator needs to know, and the shape of the rows it produces.

Generators emit rows as lists whose id columns are chunk-local (0, 1, 2, ...); once the sizes
of the earlier chunks are known, ``shift`` turns them into the shop's real ids in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

T = TypeVar("T")
Row = list[Any]
Rows = dict[str, list[Row]]
Uniform = Callable[[], float]
"""``random.Random.random`` of the chunk's generator."""

# Timestamps are generated as integer microseconds since PostgreSQL's epoch and copied through a
# tuple codec (see ``load.connect``): far cheaper than building and encoding datetime objects.
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_PG_EPOCH_DAY = PG_EPOCH.date().toordinal()


def micros(moment: datetime) -> int:
    delta = moment - PG_EPOCH
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


def day_of(timestamp: int) -> date:
    """The UTC date of a generated timestamp."""
    return date.fromordinal(_PG_EPOCH_DAY + timestamp // DAY)


def lookup(values: Sequence[T], weights: Sequence[float], size: int = 1000) -> tuple[T, ...]:
    """A table where each value fills its share of ``size`` slots: index it with a random."""
    total = sum(weights)
    table: list[T] = []
    for value, weight in zip(values, weights, strict=True):
        table += [value] * round(weight / total * size)
    return tuple(table)


CHUNK_SIZE = 10_000
"""Customers per chunk; part of what makes a seed reproducible, so it never depends on load."""


@dataclass(frozen=True)
class Catalog:
    """The small, already stored reference rows of the shop and the knobs of the generation."""

    shop_id: int
    seed: int
    now: int
    """Microseconds since PostgreSQL's epoch (see ``micros``)."""
    points_delay_hours: int
    customers: int
    threads_per_customer: float
    store_ids: tuple[int, ...]
    product_ids: tuple[int, ...]
    product_prices: tuple[int, ...]
    staff_ids: tuple[int, ...]
    page_ids: tuple[int, ...]
    page_channels: tuple[str, ...]
    page_tag_ids: tuple[tuple[int, ...], ...]
    shop_tag_ids: tuple[int, ...]
    field_ids: tuple[tuple[str, int], ...]
    sequence_ids: tuple[int, ...]
    rule_id: int

    @property
    def chunks(self) -> int:
        return -(-self.customers // CHUNK_SIZE)

    def chunk_customers(self, index: int) -> int:
        return min(CHUNK_SIZE, self.customers - index * CHUNK_SIZE)


@dataclass(frozen=True)
class TableSpec:
    """A generated table: its columns, whether column 1 is its own id, and local references."""

    name: str
    columns: tuple[str, ...]
    has_id: bool
    refs: tuple[tuple[int, str], ...] = ()


def _spec(name: str, columns: str, *refs: tuple[int, str]) -> TableSpec:
    cols = tuple(columns.split())
    return TableSpec(name, ("shop_id", *cols), cols[0] == "id", refs)


# In load order: a table only refers to tables before it.
TABLES: tuple[TableSpec, ...] = (
    _spec(
        "customer",
        "id first_name last_name full_name gender birthday email email_normalized phone"
        " phone_normalized carrier address province district ward created_at updated_at"
        " orders_count total_spent last_order_at channels",
    ),
    _spec(
        "order",
        "id customer_id channel store_id placed_at total_amount created_at",
        (2, "customer"),
    ),
    _spec("order_line", "id order_id product_id quantity amount", (2, "order")),
    _spec(
        "member",
        "id customer_id member_code tier member_since points_balance points_used"
        " points_pending_until",
        (2, "customer"),
    ),
    _spec("point_entry", "id member_id kind points occurred_at available_at note", (2, "member")),
    _spec("offer_use", "id member_id offer_code offer_name used_at", (2, "member")),
    _spec("customer_tag", "customer_id tag_id tagged_at", (1, "customer")),
    _spec(
        "subscriber",
        "id page_id platform_user_id customer_id avatar_url subscribed last_interaction_at"
        " signed_up_at first_name last_name full_name gender phone phone_normalized email"
        " email_normalized store_name store_code customer_code customer_name last_source"
        " last_page_source utm_source utm_medium utm_campaign",
        (4, "customer"),
    ),
    _spec("ref_link_open", "subscriber_id ref opened_at", (1, "subscriber")),
    _spec("otn_subscription", "subscriber_id topic subscribed_at", (1, "subscriber")),
    _spec(
        "custom_field_value",
        "subscriber_id field_id value_text value_number value_date",
        (1, "subscriber"),
    ),
    _spec("subscriber_tag", "subscriber_id tag_id tagged_at", (1, "subscriber")),
    _spec(
        "thread",
        "id page_id channel kind subscriber_id customer_id phone_normalized unread_count"
        " answered assigned_staff_id chatbot_paused has_order last_message_at created_at",
        (5, "subscriber"),
        (6, "customer"),
    ),
    _spec("thread_tag", "thread_id tag_id tagged_at tagged_by", (1, "thread")),
    _spec(
        "message",
        "id thread_id direction type body sent_by_staff_id sent_at",
        (2, "thread"),
    ),
    _spec(
        "sequence_enrolment",
        "id sequence_id subscriber_id thread_id rule_id status enrolled_at",
        (3, "subscriber"),
        (4, "thread"),
    ),
    _spec("scheduled_step", "enrolment_id position due_at status", (1, "sequence_enrolment")),
)
SPECS = {spec.name: spec for spec in TABLES}
ID_TABLES = tuple(spec.name for spec in TABLES if spec.has_id)


def counts(rows: Rows) -> dict[str, int]:
    return {spec.name: len(rows.get(spec.name, ())) for spec in TABLES}


def shift(rows: Rows, starts: dict[str, int]) -> None:
    """Replace the chunk-local ids of ``rows`` by real ids, ``starts`` being each table's first."""
    for spec in TABLES:
        table = rows.get(spec.name)
        if not table:
            continue
        moves = [(pos, starts[ref]) for pos, ref in spec.refs]
        if spec.has_id:
            moves.insert(0, (1, starts[spec.name]))
        for row in table:
            for pos, offset in moves:
                value = row[pos]
                if value is not None:
                    row[pos] = value + offset
