"""What every bulk upsert returns: per-item results, per-item errors, link conflicts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.relay import to_base64

from domain.ingest import BatchOutcome
from graph.context import Info
from graph.errors import UserError, UserErrorCode
from graph.mutations import perform


@strawberry.type(description="An item of the batch that was saved.")
class BulkItemResult:
    index: int = strawberry.field(description="Position of the item in `input.items`.")
    external_id: str = strawberry.field(description="The item's external id.")
    id: strawberry.ID = strawberry.field(description="Global id of the saved record.")
    created: bool = strawberry.field(
        description="True when the record was created, false when it already existed."
    )


@strawberry.type(description="An item of the batch that was not saved, and why.")
class BulkItemError:
    index: int = strawberry.field(description="Position of the item in `input.items`.")
    field: str | None = strawberry.field(
        description="Path of the field at fault, e.g. `items.3.customerExternalId`."
    )
    code: UserErrorCode = strawberry.field(description="Machine-readable kind of error.")  # type: ignore[valid-type]
    message: str = strawberry.field(description="What is wrong and how to fix it.")


@strawberry.type(
    description="A subscriber left unlinked because its phone or e-mail matches several "
    "customers; link it by hand once you know who it is."
)
class LinkConflict:
    index: int = strawberry.field(description="Position of the item that caused the match.")
    subscriber_id: strawberry.ID = strawberry.field(description="Global id of the subscriber.")
    customer_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids of the customers it matches."
    )


@strawberry.type(
    description="Result of a bulk upsert: valid items are saved even when others fail."
)
class BulkUpsertPayload:
    results: list[BulkItemResult] = strawberry.field(description="Saved items, by index.")
    item_errors: list[BulkItemError] = strawberry.field(
        description="Items that were not saved, by index."
    )
    link_conflicts: list[LinkConflict] = strawberry.field(
        description="Ambiguous phone or e-mail matches that were reported instead of linked."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Errors about the whole batch (e.g. more than 1,000 items); nothing saved."
    )


def payload(outcome: BatchOutcome, type_name: str) -> BulkUpsertPayload:
    return BulkUpsertPayload(
        results=[
            BulkItemResult(
                index=r.index,
                external_id=r.external_id,
                id=strawberry.ID(to_base64(type_name, r.id)),
                created=r.created,
            )
            for r in outcome.results
        ],
        item_errors=[
            BulkItemError(index=e.index, field=e.field, code=e.code, message=e.message)
            for e in outcome.errors
        ],
        link_conflicts=[
            LinkConflict(
                index=c.index,
                subscriber_id=strawberry.ID(to_base64("Subscriber", c.subscriber_id)),
                customer_ids=[strawberry.ID(to_base64("Customer", i)) for i in c.customer_ids],
            )
            for c in outcome.conflicts
        ],
        user_errors=[],
    )


async def run_batch(
    info: Info, type_name: str, write: Callable[[], Awaitable[BatchOutcome]]
) -> BulkUpsertPayload:
    """Run one batch in the request's transaction and commit it; batch errors save nothing."""
    outcome, errors = await perform(info, write)
    if outcome is None:
        return BulkUpsertPayload(results=[], item_errors=[], link_conflicts=[], user_errors=errors)
    return payload(outcome, type_name)
