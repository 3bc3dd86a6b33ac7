"""Loyalty members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from domain import member as domain
from graph.context import Info
from graph.types.common import Node, resolve_many

if TYPE_CHECKING:
    from graph.types.customer import Customer


@strawberry.type(description="Loyalty points as the ledger says now.")
class Points:
    available: int = strawberry.field(description="Points that can be spent now.")
    used: int = strawberry.field(description="Points spent so far.")
    pending: int = strawberry.field(
        description="Points earned but not valid yet (they become available after the shop's "
        "delay, 24 hours by default)."
    )


@strawberry.type(description="A customer registered in the loyalty programme.")
class Member(Node):
    id: relay.NodeID[int]
    member_code: str = strawberry.field(description="Member code printed on the card.")
    tier: str | None = strawberry.field(description="Code of the member's tier, e.g. `gold`.")
    member_since: datetime = strawberry.field(description="When the customer registered.")
    customer_id: strawberry.Private[int]
    model: strawberry.Private[domain.Member]

    @classmethod
    def from_domain(cls, m: domain.Member) -> Member:
        return cls(
            id=m.id,
            member_code=m.member_code,
            tier=m.tier,
            member_since=m.member_since,
            customer_id=m.customer_id,
            model=m,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.member_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="Available, used and pending points, derived from the ledger.")
    async def points(self, info: Info) -> Points:
        pending = await info.context.loaders.pending_points_by_member_id.load(self.id)
        p = self.model.points(pending)
        return Points(available=p.available, used=p.used, pending=p.pending)

    @strawberry.field(description="The commerce customer behind the membership.")
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graph.types.customer")] | None:
        from graph.types.customer import Customer

        return await Customer.load(info, self.customer_id)
