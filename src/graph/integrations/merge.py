"""customerMerge: duplicate customers folded into one survivor (X1, X3 `customer.merged`)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.customer_merge import check_merge
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, perform
from graph.types.customer import Customer
from infra.repositories.customer_merge import merge_customers


@strawberry.input(description="Which customer survives and which duplicates fold into it.")
class CustomerMergeInput:
    survivor_id: relay.GlobalID = strawberry.field(description="The customer that stays.")
    merged_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 50 duplicates; they are deleted once their records have moved."
    )


@strawberry.type(description="Result of a merge.")
class CustomerMergePayload:
    customer: Customer | None = strawberry.field(
        description="The survivor, with the recomputed orders count, total spent and channels."
    )
    merged_ids: list[relay.GlobalID] = strawberry.field(description="Ids of deleted duplicates.")
    moved_orders: int = strawberry.field(description="Orders moved to the survivor.")
    moved_subscribers: int = strawberry.field(description="Subscribers now linked to it.")
    moved_threads: int = strawberry.field(description="Threads now linked to it.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type
class CustomerMergeMutation:
    @strawberry.mutation(
        description="Merge duplicate customers into one: orders, tags, the membership, "
        "subscribers and threads move to the survivor; emits `customer.merged`."
    )
    async def customer_merge(self, info: Info, input: CustomerMergeInput) -> CustomerMergePayload:
        async def run() -> tuple[Customer, tuple[int, int, int]]:
            survivor = node_id(input.survivor_id, "Customer", field="input.survivorId")
            merged = check_merge(
                survivor,
                [
                    node_id(value, "Customer", field=f"input.mergedIds.{index}")
                    for index, value in enumerate(input.merged_ids)
                ],
            )
            outcome = await merge_customers(
                info.context.session, info.context.shop_id, survivor, merged, info.context.now()
            )
            found = (await info.context.repos.customers.get_many([survivor]))[0]
            assert found is not None
            moved = (outcome.moved_orders, outcome.moved_subscribers, outcome.moved_threads)
            return Customer.from_domain(found, info), moved

        result, errors = await perform(info, run)
        if result is None:
            return CustomerMergePayload(
                customer=None,
                merged_ids=[],
                moved_orders=0,
                moved_subscribers=0,
                moved_threads=0,
                user_errors=errors,
            )
        customer, (orders, subscribers, threads) = result
        return CustomerMergePayload(
            customer=customer,
            merged_ids=list(input.merged_ids),
            moved_orders=orders,
            moved_subscribers=subscribers,
            moved_threads=threads,
            user_errors=[],
        )
