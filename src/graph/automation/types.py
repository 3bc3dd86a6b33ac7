"""Sequences, their steps, automation rules and enrolments as GraphQL types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from domain import automation as domain
from graph.context import Info
from graph.types.common import Node, resolve_many
from graph.types.conversation import Thread
from graph.types.subscriber import Subscriber
from graph.types.tag import Tag

EnrolmentStatus = strawberry.enum(domain.EnrolmentStatus, description="Where an enrolment stands.")
StepStatus = strawberry.enum(
    domain.StepStatus,
    description="PENDING: waiting for its time; HELD: the thread's chatbot is paused; DUE: its "
    "time came and `sequence.step_due` was emitted; DONE / CANCELLED: finished or stopped.",
)


@strawberry.type(description="One message of a sequence and when it goes out.")
class SequenceStep:
    position: int = strawberry.field(description="Order in the sequence, from 0.")
    delay_minutes: int = strawberry.field(
        description="Minutes after the enrolment (not after the previous step)."
    )
    message: str = strawberry.field(description="What is sent.")

    @classmethod
    def from_domain(cls, step: domain.SequenceStep) -> SequenceStep:
        return cls(position=step.position, delay_minutes=step.delay_minutes, message=step.message)


@strawberry.type(name="Sequence", description="A series of messages sent after an enrolment.")
class MessageSequence(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name shown to staff.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @classmethod
    def from_domain(cls, s: domain.MessageSequence) -> MessageSequence:
        return cls(id=s.id, name=s.name, created_at=s.created_at)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MessageSequence | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.sequence_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The steps, in order.")
    async def steps(self, info: Info) -> list[SequenceStep]:
        found = await info.context.loaders.integrations.steps_by_sequence_id.load(self.id)
        return [SequenceStep.from_domain(s) for s in found]


@strawberry.type(description="When a tag is added to a subscriber or thread, enrol the person.")
class AutomationRule(Node):
    id: relay.NodeID[int]
    enabled: bool = strawberry.field(description="Disabled rules enrol nobody.")
    created_at: datetime = strawberry.field(description="When it was created.")
    tag_id: strawberry.Private[int]
    sequence_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, r: domain.AutomationRule) -> AutomationRule:
        return cls(
            id=r.id,
            enabled=r.enabled,
            created_at=r.created_at,
            tag_id=r.tag_id,
            sequence_id=r.sequence_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[AutomationRule | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.rule_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The tag whose addition triggers the rule.")
    async def tag(self, info: Info) -> Tag | None:
        found = await info.context.loaders.tag_by_id.load(self.tag_id)
        return Tag.from_domain(found) if found is not None else None

    @strawberry.field(description="The sequence people are enrolled in.")
    async def sequence(self, info: Info) -> MessageSequence | None:
        found = await info.context.loaders.integrations.sequence_by_id.load(self.sequence_id)
        return MessageSequence.from_domain(found) if found is not None else None


@strawberry.type(description="One step of an enrolment, with the time it is due.")
class ScheduledStep:
    position: int = strawberry.field(description="Position of the step in its sequence.")
    due_at: datetime = strawberry.field(description="Enrolment time plus the step's delay.")
    status: StepStatus = strawberry.field(description="Where the step stands.")  # type: ignore[valid-type]

    @classmethod
    def from_domain(cls, s: domain.ScheduledStep) -> ScheduledStep:
        return cls(position=s.position, due_at=s.due_at, status=s.status)


@strawberry.type(description="A person going through a sequence; at most one running per sequence.")
class SequenceEnrolment(Node):
    id: relay.NodeID[int]
    status: EnrolmentStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    enrolled_at: datetime = strawberry.field(description="When the person was enrolled.")
    sequence_id: strawberry.Private[int]
    subscriber_id: strawberry.Private[int]
    thread_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, e: domain.Enrolment) -> SequenceEnrolment:
        return cls(
            id=e.id,
            status=e.status,
            enrolled_at=e.enrolled_at,
            sequence_id=e.sequence_id,
            subscriber_id=e.subscriber_id,
            thread_id=e.thread_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SequenceEnrolment | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.enrolment_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The sequence.")
    async def sequence(self, info: Info) -> MessageSequence | None:
        found = await info.context.loaders.integrations.sequence_by_id.load(self.sequence_id)
        return MessageSequence.from_domain(found) if found is not None else None

    @strawberry.field(description="The enrolled subscriber.")
    async def subscriber(self, info: Info) -> Subscriber | None:
        return await Subscriber.load(info, self.subscriber_id)

    @strawberry.field(
        description="The thread whose tag enrolled the person (pausing its chatbot holds the "
        "steps); null when a subscriber tag did."
    )
    async def thread(self, info: Info) -> Thread | None:
        if self.thread_id is None:
            return None
        found = await info.context.loaders.thread_by_id.load(self.thread_id)
        return Thread.from_domain(found) if found is not None else None

    @strawberry.field(description="Every step with its due time and status, in order.")
    async def scheduled_steps(self, info: Info) -> list[ScheduledStep]:
        loaders = info.context.loaders.integrations
        return [
            ScheduledStep.from_domain(s)
            for s in await loaders.scheduled_steps_by_enrolment_id.load(self.id)
        ]
