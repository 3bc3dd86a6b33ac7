"""Bulk upserts of customers, orders, loyalty members and point entries (L1, X5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain import ingest_commerce as items
from domain.points import PointItem, PointKind
from graph.context import Info
from graph.integrations.bulk import BulkUpsertPayload, run_batch
from graph.types.enums import Channel, Gender
from infra.ingest.customers import upsert_customers
from infra.ingest.members import record_points, upsert_members
from infra.ingest.orders import upsert_orders

PointKindEnum = strawberry.enum(
    PointKind,
    name="PointKind",
    description="EARN adds points (pending until the shop's delay has passed), SPEND and "
    "EXPIRE take available points, ADJUST adds or takes (signed).",
)


@strawberry.input(description="A customer keyed by its id in the partner system.")
class CustomerUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    full_name: str | None = strawberry.field(
        default=None, description="Full name; built from last and first name when absent."
    )
    gender: Gender | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Gender; UNKNOWN never overwrites a known gender."
    )
    birthday: date | None = strawberry.field(default=None, description="Date of birth.")
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    phone: str | None = strawberry.field(
        default=None, description="Phone in any usual form (+84, 84, 0, dots, spaces)."
    )
    address: str | None = strawberry.field(default=None, description="Street address.")
    province: str | None = strawberry.field(default=None, description="Province or city.")
    district: str | None = strawberry.field(default=None, description="District.")
    ward: str | None = strawberry.field(default=None, description="Ward.")
    created_at: datetime | None = strawberry.field(
        default=None, description="Creation time in the partner system (kept on updates)."
    )


@strawberry.input(description="A batch of at most 1,000 customers.")
class CustomerBulkUpsertInput:
    items: list[CustomerUpsertInput] = strawberry.field(description="The customers.")


@strawberry.input(description="A line of an order.")
class OrderLineInput:
    sku: str = strawberry.field(description="Product SKU; unknown SKUs create the product.")
    quantity: int = strawberry.field(description="Quantity, at least 1.")
    amount: Decimal = strawberry.field(description="Line amount in VND.")
    name: str | None = strawberry.field(
        default=None, description="Product name, used when the SKU is new."
    )


@strawberry.input(description="An order keyed by its id in the partner system.")
class OrderUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    customer_external_id: str = strawberry.field(
        description="External id of the customer, who must have been upserted before."
    )
    channel: Channel = strawberry.field(description="Sales channel.")  # type: ignore[valid-type]
    placed_at: datetime = strawberry.field(description="When the order was placed.")
    total_amount: Decimal = strawberry.field(description="Order total in VND.")
    store_code: str | None = strawberry.field(
        default=None, description="Code of the point-of-sale store, if any."
    )
    lines: list[OrderLineInput] = strawberry.field(
        default_factory=list, description="The lines; sending the order again replaces them."
    )


@strawberry.input(description="A batch of at most 1,000 orders.")
class OrderBulkUpsertInput:
    items: list[OrderUpsertInput] = strawberry.field(description="The orders.")


@strawberry.input(description="A loyalty member keyed by its id in the partner system.")
class MemberUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    customer_external_id: str = strawberry.field(description="External id of the customer.")
    member_code: str = strawberry.field(description="Member code printed on the card.")
    member_since: datetime = strawberry.field(description="When the customer registered.")
    tier: str | None = strawberry.field(default=None, description="Tier code, e.g. `gold`.")


@strawberry.input(description="A batch of at most 1,000 members.")
class MemberBulkUpsertInput:
    items: list[MemberUpsertInput] = strawberry.field(description="The members.")


@strawberry.input(description="A points ledger entry keyed by its id in the partner system.")
class PointEntryInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    member_external_id: str = strawberry.field(description="External id of the member.")
    kind: PointKindEnum = strawberry.field(description="Earn, spend, expire or adjust.")  # type: ignore[valid-type]
    points: int = strawberry.field(description="Positive, except ADJUST which is signed.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    note: str | None = strawberry.field(default=None, description="Free text, e.g. order id.")


@strawberry.input(description="A batch of at most 1,000 ledger entries, applied in order.")
class PointEntryBulkRecordInput:
    items: list[PointEntryInput] = strawberry.field(description="The entries.")


@strawberry.type
class CommerceIngestMutation:
    @strawberry.mutation(
        description="Create or update customers by external id; links subscribers (X1)."
    )
    async def customer_bulk_upsert(
        self, info: Info, input: CustomerBulkUpsertInput
    ) -> BulkUpsertPayload:
        batch = [items.CustomerItem(**vars(item)) for item in input.items]
        return await run_batch(
            info,
            "Customer",
            lambda: upsert_customers(
                info.context.session, info.context.shop_id, batch, info.context.now()
            ),
        )

    @strawberry.mutation(
        description="Create or update orders by external id; customer totals follow exactly."
    )
    async def order_bulk_upsert(self, info: Info, input: OrderBulkUpsertInput) -> BulkUpsertPayload:
        batch = [
            items.OrderItem(
                external_id=o.external_id,
                customer_external_id=o.customer_external_id,
                channel=o.channel,
                placed_at=o.placed_at,
                total_amount=o.total_amount,
                store_code=o.store_code,
                lines=tuple(items.OrderLineItem(**vars(line)) for line in o.lines),
            )
            for o in input.items
        ]
        return await run_batch(
            info,
            "Order",
            lambda: upsert_orders(
                info.context.session, info.context.shop_id, batch, info.context.now()
            ),
        )

    @strawberry.mutation(description="Register customers as loyalty members, by external id.")
    async def member_bulk_upsert(
        self, info: Info, input: MemberBulkUpsertInput
    ) -> BulkUpsertPayload:
        batch = [items.MemberItem(**vars(item)) for item in input.items]
        return await run_batch(
            info,
            "Member",
            lambda: upsert_members(
                info.context.session, info.context.shop_id, batch, info.context.now()
            ),
        )

    @strawberry.mutation(
        description="Append points ledger entries; an external id already recorded is skipped."
    )
    async def point_entry_bulk_record(
        self, info: Info, input: PointEntryBulkRecordInput
    ) -> BulkUpsertPayload:
        batch = [PointItem(**vars(item)) for item in input.items]
        return await run_batch(
            info,
            "PointEntry",
            lambda: record_points(
                info.context.session, info.context.shop_id, batch, info.context.now()
            ),
        )
