"""Orders and customer details from a thread, asked of the channel's capabilities (SPEC C10)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry import relay

from domain.thread_order import MAX_THREAD_ORDER_LINES, ThreadOrderLine, validate_lines
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, perform
from graph.types.conversation import Thread
from graph.types.customer import Customer
from infra.repositories.customers import CustomerRepository
from infra.repositories.thread_commerce import ThreadCommerce


@strawberry.input(description="One line of an order taken in a thread.")
class ThreadOrderLineInput:
    sku: str = strawberry.field(
        description="The product's SKU; an unknown SKU creates a product named after it."
    )
    quantity: int = strawberry.field(description="How many; above 0.")
    amount: Decimal = strawberry.field(description="What the whole line costs, in VND; 0 or more.")


@strawberry.input(description="An order for the customer of a thread.")
class ThreadOrderCreateInput:
    thread_id: relay.GlobalID = strawberry.field(description="The thread.")
    lines: list[ThreadOrderLineInput] = strawberry.field(
        description=f"The lines: 1 to {MAX_THREAD_ORDER_LINES}."
    )
    store: str | None = strawberry.field(
        default=None, description="Code of the store the order belongs to, if any."
    )


@strawberry.input(description="Copy a thread's subscriber details into its customer.")
class ThreadCustomerSyncInput:
    thread_id: relay.GlobalID = strawberry.field(description="The thread.")


@strawberry.type(description="An order taken in a thread.")
class ThreadOrder:
    id: int = strawberry.field(description="Id of the order.")
    total_amount: Decimal = strawberry.field(description="Sum of the line amounts, in VND.")


@strawberry.type(description="Result of taking an order in a thread.")
class ThreadOrderCreatePayload:
    order: ThreadOrder | None = strawberry.field(description="The order created.")
    thread: Thread | None = strawberry.field(description="The thread, now marked as having one.")
    customer: Customer | None = strawberry.field(
        description="The customer with aggregates that include the order."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was stored.")


@strawberry.type(description="Result of syncing a thread's customer details.")
class ThreadCustomerSyncPayload:
    thread: Thread | None = strawberry.field(description="The thread, linked to the customer.")
    customer: Customer | None = strawberry.field(description="The customer after the sync.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was stored.")


async def _customer(info: Info, customer_id: int) -> Customer:
    repo = CustomerRepository(info.context.session, info.context.shop_id)
    found = (await repo.get_many([customer_id]))[0]
    assert found is not None
    return Customer.from_domain(found, info)


@strawberry.type
class ThreadCommerceMutation:
    @strawberry.mutation(
        description="Create an order for the thread's customer, on the thread's channel. A "
        "channel that cannot create orders (Shopee) is UNSUPPORTED_BY_CHANNEL; a thread with no "
        "customer yet is CONFLICT (sync or link the customer first). Nothing is stored on error."
    )
    async def thread_order_create(
        self, info: Info, input: ThreadOrderCreateInput
    ) -> ThreadOrderCreatePayload:
        async def run() -> tuple[ThreadOrder, Thread, Customer]:
            thread_id = node_id(input.thread_id, "Thread", field="input.threadId")
            commerce = ThreadCommerce(info.context.session, info.context.shop_id)
            thread = await commerce.actions.get(thread_id)
            lines = validate_lines(
                tuple(ThreadOrderLine(x.sku, x.quantity, x.amount) for x in input.lines),
                field="input.lines",
            )
            store = input.store.strip() if input.store else None
            order = await commerce.create_order(
                thread.id, lines, store_code=store or None, now=info.context.now()
            )
            after = await commerce.actions.get(thread_id)
            return (
                ThreadOrder(id=order.order_id, total_amount=order.total_amount),
                Thread.from_domain(after),
                await _customer(info, order.customer_id),
            )

        result, errors = await perform(info, run)
        order, thread, customer = result if result is not None else (None, None, None)
        return ThreadOrderCreatePayload(
            order=order, thread=thread, customer=customer, user_errors=errors
        )

    @strawberry.mutation(
        description="Copy the subscriber's name, gender, phone and e-mail into the linked "
        "customer's empty fields; with no linked customer, link the one customer sharing the "
        "phone or e-mail (AMBIGUOUS when several do) or create one. Shopee does not share "
        "customer details: UNSUPPORTED_BY_CHANNEL, edit the customer by hand."
    )
    async def thread_customer_sync(
        self, info: Info, input: ThreadCustomerSyncInput
    ) -> ThreadCustomerSyncPayload:
        async def run() -> tuple[Thread, Customer]:
            thread_id = node_id(input.thread_id, "Thread", field="input.threadId")
            commerce = ThreadCommerce(info.context.session, info.context.shop_id)
            thread, customer_id = await commerce.sync_customer(thread_id, now=info.context.now())
            return Thread.from_domain(thread), await _customer(info, customer_id)

        result, errors = await perform(info, run)
        thread, customer = result if result is not None else (None, None)
        return ThreadCustomerSyncPayload(thread=thread, customer=customer, user_errors=errors)
