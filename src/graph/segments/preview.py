"""A definition evaluated before saving (X3): its count, first page and per-part counts."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from domain import filters as f
from domain.errors import DomainError
from domain.segment import ListKind
from graph.context import Info
from graph.filters.lists import filters, refused
from graph.segments.types import LIST_PROFILES, holds, rows_of
from graph.types.customer import Customer, preload_tags
from graph.types.subscriber import Subscriber
from infra.repositories.segments import counts
from infra.statements import Where


@strawberry.type(description="How many rows one part of a definition matches on its own.")
class PartCount:
    field: str = strawberry.field(description="Path of the condition or block in the input.")
    count: int = strawberry.field(
        description="Include conditions: customers (or subscribers) it matches alone. Exclude "
        "blocks: those of the include side it removes."
    )


class PreviewPlan:
    """What a preview evaluates, each statement run only once and only when its field is asked;
    ``include`` is the whole definition's clause at ``now``."""

    def __init__(
        self,
        info: Info,
        kind: ListKind,
        group: f.Group,
        parts: list[tuple[str, f.Condition]],
        include: Where,
        now: datetime,
    ) -> None:
        self.info = info
        self.kind = kind
        self.group = group
        self.parts = parts
        self.include = include
        self.now = now
        self._numbers: asyncio.Task[list[int]] | None = None

    def part_numbers(self) -> asyncio.Task[list[int]]:
        if self._numbers is None:
            self._numbers = asyncio.ensure_future(self._count_parts())
        return self._numbers

    async def _count_parts(self) -> list[int]:
        included = f.Group(self.group.include).condition()
        conditions = [condition for _, condition in self.parts]
        conditions += [f.And((included, block)) for block in self.group.exclude]
        try:
            forms, arguments = await filters(self.info).counted_side_by_side(
                LIST_PROFILES[self.kind], conditions, self.now
            )
        except DomainError as error:  # each exclude block is counted with the includes
            raise refused(error, "definition") from None
        context = self.info.context
        rows = rows_of(self.info, self.kind).table
        return await counts(context.session, rows, context.shop_id, forms, arguments)


@strawberry.type(description="A definition evaluated before saving (X3).")
class SegmentPreview:
    size: strawberry.Private[int]
    plan: strawberry.Private[PreviewPlan]

    @strawberry.field(description="Customers (or subscribers) the definition selects.")
    async def count(self, info: Info) -> int:
        return await rows_of(info, self.plan.kind).count(self.plan.include)

    @strawberry.field(description="The first page of them, for a customer segment.")
    async def members(self, info: Info) -> list[Customer]:
        holds(self.plan.kind, ListKind.CUSTOMERS)
        page = await info.context.repos.customers.page(first=self.size, where=self.plan.include)
        customers = [Customer.from_domain(c, info) for c in page.items]
        await preload_tags(info, customers, paths=((),))
        return customers

    @strawberry.field(description="The first page of them, for a subscriber segment.")
    async def subscribers(self, info: Info) -> list[Subscriber]:
        holds(self.plan.kind, ListKind.SUBSCRIBERS)
        page = await info.context.repos.subscribers.page(first=self.size, where=self.plan.include)
        return [Subscriber.from_domain(s) for s in page.items]

    @strawberry.field(description="Each condition of each include block, counted alone.")
    async def conditions(self) -> list[PartCount]:
        numbers = await self.plan.part_numbers()
        return [
            PartCount(field=p, count=n)
            for (p, _), n in zip(self.plan.parts, numbers[: len(self.plan.parts)], strict=True)
        ]

    @strawberry.field(description="Each exclude block and how many included customers it removes.")
    async def exclusions(self) -> list[PartCount]:
        numbers = await self.plan.part_numbers()
        return [
            PartCount(field=f"definition.exclude.{i}", count=n)
            for i, n in enumerate(numbers[len(self.plan.parts) :])
        ]
