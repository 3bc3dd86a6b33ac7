"""Commerce customers."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from domain import customer as domain
from graph.context import Info
from graph.pagination import ITEM_PATHS, Companion, selects
from graph.types.common import Deferred, Node, resolve_many
from graph.types.enums import Channel, Gender
from graph.types.tag import Tag, shared_tags, tags

if TYPE_CHECKING:
    from graph.types.member import Member


@strawberry.type(description="A commerce customer, with what the customer lists show.")
class Customer(Node):
    id: relay.NodeID[int]
    external_id: str | None = strawberry.field(description="Id in the partner system, if any.")
    first_name: str | None = strawberry.field(description="Given name (tên).")
    last_name: str | None = strawberry.field(description="Family name (họ).")
    full_name: str | None = strawberry.field(description="Full name as written, with diacritics.")
    gender: Gender = strawberry.field(description="Female, male or unknown.")  # type: ignore[valid-type]
    birthday: date | None = strawberry.field(description="Date of birth.")
    email: str | None = strawberry.field(description="E-mail as given.")
    phone: str | None = strawberry.field(description="Phone number as given.")
    phone_normalized: str | None = strawberry.field(
        description="The phone in 10-digit national form (0xxxxxxxxx); matches ignore formatting."
    )
    carrier: str | None = strawberry.field(
        description="Mobile carrier of the phone (viettel, vinaphone, mobifone, ...)."
    )
    address: str | None = strawberry.field(description="Street address.")
    province: str | None = strawberry.field(description="Province or city.")
    district: str | None = strawberry.field(description="District.")
    ward: str | None = strawberry.field(description="Ward.")
    created_at: datetime = strawberry.field(description="When the customer was created.")
    orders_count: int = strawberry.field(description="Number of orders.")
    total_spent: float = strawberry.field(description="Sum of order totals, in VND.")
    last_order_at: datetime | None = strawberry.field(description="Time of the latest order.")
    channels: list[Channel] = strawberry.field(  # type: ignore[valid-type]
        description="Channels the customer has bought through."
    )
    # A plain attribute rather than a resolver: a page sets the loaded lists (see
    # `preload_tags`), elsewhere it is fetched through the DataLoader only when selected.
    tags: list[Tag] | Awaitable[list[Tag]] = strawberry.field(
        graphql_type=list[Tag], description="Commerce tags of the customer."
    )

    @classmethod
    def from_domain(cls, c: domain.Customer, info: Info) -> Customer:
        return cls(
            id=c.id,
            external_id=c.external_id,
            first_name=c.first_name,
            last_name=c.last_name,
            full_name=c.full_name,
            gender=c.gender,
            birthday=c.birthday,
            email=c.email,
            phone=c.phone,
            phone_normalized=c.phone_normalized,
            carrier=c.carrier,
            address=c.address,
            province=c.province,
            district=c.district,
            ward=c.ward,
            created_at=c.created_at,
            orders_count=c.orders_count,
            total_spent=float(c.total_spent),
            last_order_at=c.last_order_at,
            channels=list(c.channels),
            tags=Deferred(lambda: info.context.loaders.tags_by_customer_id.load(c.id), tags),
        )

    @classmethod
    async def load(cls, info: Info, customer_id: int | None) -> Customer | None:
        """The customer with this id, batched with its siblings; None for no id or none found."""
        if customer_id is None:
            return None
        found = await info.context.loaders.customer_by_id.load(customer_id)
        return cls.from_domain(found, info) if found else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Customer | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.customer_by_id.load_many(ids),
            lambda c: cls.from_domain(c, info),
        )

    @strawberry.field(
        description="External ids of the customers merged into this one (customerMerge), oldest"
        " merge first. The partner's orders, members and upserts for them reach this customer."
    )
    async def merged_external_ids(self, info: Info) -> list[str]:
        return await info.context.loaders.merged_external_ids_by_customer_id.load(self.id)

    @strawberry.field(description="The loyalty membership, if the customer registered.")
    async def member(
        self, info: Info
    ) -> Annotated[Member, strawberry.lazy("graph.types.member")] | None:
        from graph.types.member import Member

        found = await info.context.loaders.member_by_customer_id.load(self.id)
        return Member.from_domain(found) if found else None


def tags_companion(info: Info) -> Companion[Customer] | None:
    """The customers' tags read with a page of them, in the page's own statement, when the
    query selects them; a tag on several of the customers is one object, made once."""
    if not selects(info, "tags"):
        return None
    repo = info.context.repos.customers
    convert = shared_tags()

    def attach(customer: Customer, value: object) -> None:
        customer.tags = convert(repo.tags_of(value))

    return Companion(repo.tags_column(), attach)


async def preload_tags(
    info: Info, customers: Sequence[Customer], paths: Sequence[tuple[str, ...]] = ITEM_PATHS
) -> None:
    """Load the tags of a list of customers in one statement when the query selects them, so
    the list is served without one awaitable per row. A tag on several of the customers is
    one object, made once."""
    if not customers or not selects(info, "tags", paths):
        return
    found = await info.context.loaders.tags_by_customer_id.load_many([c.id for c in customers])
    convert = shared_tags()
    for customer, items in zip(customers, found, strict=True):
        customer.tags = convert(items)
