"""Read sequences, rules and a subscriber's enrolments (T5)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from domain.automation import EnrolmentStatus as DomainEnrolmentStatus
from graph.automation.types import (
    AutomationRule,
    EnrolmentStatus,
    MessageSequence,
    SequenceEnrolment,
)
from graph.context import Info
from graph.pagination import After, Connection, First
from graph.queries import list_page
from graph.types.common import query_id
from infra import tables as t
from infra.repositories.automation_admin import (
    EnrolmentRepository,
    RuleRepository,
    SequenceRepository,
)


@strawberry.type
class AutomationQuery:
    @strawberry.field(description="Message sequences of the shop, newest first.")
    async def sequences(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[MessageSequence]:
        repo = SequenceRepository(info.context.session, info.context.shop_id)
        return await list_page(info, repo, MessageSequence.from_domain, first, after)

    @strawberry.field(description="Automation rules of the shop, newest first.")
    async def automation_rules(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        tag_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only the rules of this tag."),
        ] = None,
    ) -> Connection[AutomationRule]:
        repo = RuleRepository(info.context.session, info.context.shop_id)
        where = (
            None
            if tag_id is None
            else t.automation_rule.c.tag_id == query_id(tag_id, "Tag", field="tagId")
        )
        return await list_page(info, repo, AutomationRule.from_domain, first, after, where)

    @strawberry.field(
        description="A subscriber's enrolments in sequences, newest first, with their steps."
    )
    async def sequence_enrolments(
        self,
        info: Info,
        subscriber_id: Annotated[
            relay.GlobalID, strawberry.argument(description="The subscriber.")
        ],
        status: Annotated[
            EnrolmentStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only enrolments in this status."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[SequenceEnrolment]:
        e = t.sequence_enrolment
        where = e.c.subscriber_id == query_id(subscriber_id, "Subscriber", field="subscriberId")
        if status is not None:
            where = where & (e.c.status == DomainEnrolmentStatus(status).value)
        repo = EnrolmentRepository(info.context.session, info.context.shop_id)
        return await list_page(info, repo, SequenceEnrolment.from_domain, first, after, where)
