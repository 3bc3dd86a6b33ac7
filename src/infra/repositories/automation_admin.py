"""Sequences, automation rules and enrolments of one shop (T5): reads and validated writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import (
    AutomationRule,
    Enrolment,
    EnrolmentStatus,
    MessageSequence,
    ScheduledStep,
    SequenceStep,
    StepStatus,
    check_rule_tag,
)
from domain.errors import DomainError, ErrorCode, NotFound
from infra import tables as t
from infra.repositories.base import TableRepository, grouped


class SequenceRepository(TableRepository[MessageSequence]):
    table = t.sequence
    noun = "sequence"

    def to_domain(self, row: Row[Any]) -> MessageSequence:
        return MessageSequence(id=row.id, name=row.name, created_at=row.created_at)

    async def steps_of(self, sequence_ids: Sequence[int]) -> list[list[SequenceStep]]:
        s = t.sequence_step
        rows = await self.session.execute(
            select(s.c.sequence_id, s.c.position, s.c.delay_minutes, s.c.message)
            .where(s.c.shop_id == self.shop_id, s.c.sequence_id.in_(set(sequence_ids)))
            .order_by(s.c.sequence_id, s.c.position)
        )
        return grouped(
            sequence_ids,
            rows,
            lambda r: r.sequence_id,
            lambda r: SequenceStep(r.position, r.delay_minutes, r.message),
        )


class RuleRepository(TableRepository[AutomationRule]):
    table = t.automation_rule
    noun = "automation rule"

    def to_domain(self, row: Row[Any]) -> AutomationRule:
        return AutomationRule(
            id=row.id,
            tag_id=row.tag_id,
            sequence_id=row.sequence_id,
            enabled=row.enabled,
            created_at=row.created_at,
        )


class EnrolmentRepository(TableRepository[Enrolment]):
    table = t.sequence_enrolment

    def to_domain(self, row: Row[Any]) -> Enrolment:
        return Enrolment(
            id=row.id,
            sequence_id=row.sequence_id,
            subscriber_id=row.subscriber_id,
            thread_id=row.thread_id,
            rule_id=row.rule_id,
            status=EnrolmentStatus(row.status),
            enrolled_at=row.enrolled_at,
        )

    async def steps_of(self, enrolment_ids: Sequence[int]) -> list[list[ScheduledStep]]:
        s = t.scheduled_step
        rows = await self.session.execute(
            select(s)
            .where(s.c.shop_id == self.shop_id, s.c.enrolment_id.in_(set(enrolment_ids)))
            .order_by(s.c.enrolment_id, s.c.position)
        )
        return grouped(
            enrolment_ids,
            rows,
            lambda r: r.enrolment_id,
            lambda r: ScheduledStep(r.enrolment_id, r.position, r.due_at, StepStatus(r.status)),
        )


class AutomationAdmin:
    """Validated writes; each method checks everything before it changes anything."""

    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.sequences = SequenceRepository(session, shop_id)
        self.rules = RuleRepository(session, shop_id)

    async def sequence(self, sequence_id: int, *, field: str) -> MessageSequence:
        return await self.sequences.one(sequence_id, field=field)

    async def rule(self, rule_id: int, *, field: str) -> AutomationRule:
        return await self.rules.one(rule_id, field=field)

    async def _name_free(self, name: str, except_id: int = 0) -> None:
        clash = await self.session.scalar(
            select(t.sequence.c.id).where(
                t.sequence.c.shop_id == self.shop_id,
                t.sequence.c.name == name,
                t.sequence.c.id != except_id,
            )
        )
        if clash is not None:
            raise DomainError(
                f'A sequence named "{name}" already exists.',
                code=ErrorCode.DUPLICATE,
                field="input.name",
            )

    async def _write_steps(self, sequence_id: int, steps: Sequence[SequenceStep]) -> None:
        s = t.sequence_step
        await self.session.execute(
            delete(s).where(s.c.shop_id == self.shop_id, s.c.sequence_id == sequence_id)
        )
        await self.session.execute(
            insert(s),
            [
                {
                    "shop_id": self.shop_id,
                    "sequence_id": sequence_id,
                    "position": step.position,
                    "delay_minutes": step.delay_minutes,
                    "message": step.message,
                }
                for step in steps
            ],
        )

    async def create_sequence(self, name: str, steps: Sequence[SequenceStep]) -> MessageSequence:
        await self._name_free(name)
        new_id = await self.session.scalar(
            pg_insert(t.sequence)
            .values(shop_id=self.shop_id, name=name)
            .on_conflict_do_nothing()
            .returning(t.sequence.c.id)
        )
        if new_id is None:
            raise DomainError(
                f'A sequence named "{name}" already exists.',
                code=ErrorCode.DUPLICATE,
                field="input.name",
            )
        await self._write_steps(new_id, steps)
        return await self.sequence(new_id, field="input")

    async def update_sequence(
        self, sequence_id: int, *, name: str | None, steps: Sequence[SequenceStep] | None
    ) -> MessageSequence:
        """New steps apply to later enrolments; running ones keep the times they were given."""
        await self.sequence(sequence_id, field="input.id")
        if name is not None:
            await self._name_free(name, except_id=sequence_id)
            await self.session.execute(
                update(t.sequence)
                .where(t.sequence.c.shop_id == self.shop_id, t.sequence.c.id == sequence_id)
                .values(name=name)
            )
        if steps is not None:
            await self._write_steps(sequence_id, steps)
        return await self.sequence(sequence_id, field="input.id")

    async def delete_sequence(self, sequence_id: int, *, force: bool) -> int:
        """Deletes the sequence with its rules; running enrolments need ``force`` (they go too)."""
        await self.sequence(sequence_id, field="input.id")
        e = t.sequence_enrolment
        running = int(
            await self.session.scalar(
                select(func.count()).where(
                    e.c.shop_id == self.shop_id,
                    e.c.sequence_id == sequence_id,
                    e.c.status == EnrolmentStatus.RUNNING.value,
                )
            )
            or 0
        )
        if running and not force:
            raise DomainError(
                f"{running} people are going through this sequence; pass `force: true` to "
                "delete it and stop their remaining steps.",
                code=ErrorCode.IN_USE,
                field="input.force",
            )
        await self.session.execute(
            delete(t.sequence).where(
                t.sequence.c.shop_id == self.shop_id, t.sequence.c.id == sequence_id
            )
        )
        return running

    async def create_rule(self, *, tag_id: int, sequence_id: int, enabled: bool) -> AutomationRule:
        page_id = (
            await self.session.execute(
                select(t.tag.c.page_id).where(t.tag.c.shop_id == self.shop_id, t.tag.c.id == tag_id)
            )
        ).first()
        if page_id is None:
            raise NotFound("No such tag in this shop.", field="input.tagId")
        check_rule_tag(page_id[0], field="input.tagId")
        await self.sequence(sequence_id, field="input.sequenceId")
        new_id = await self.session.scalar(
            pg_insert(t.automation_rule)
            .values(shop_id=self.shop_id, tag_id=tag_id, sequence_id=sequence_id, enabled=enabled)
            .on_conflict_do_nothing()
            .returning(t.automation_rule.c.id)
        )
        if new_id is None:
            raise DomainError(
                "A rule for this tag and sequence already exists.",
                code=ErrorCode.DUPLICATE,
                field="input",
            )
        return await self.rule(new_id, field="input")

    async def set_rule_enabled(self, rule_id: int, enabled: bool) -> AutomationRule:
        await self.rule(rule_id, field="input.id")
        await self.session.execute(
            update(t.automation_rule)
            .where(t.automation_rule.c.shop_id == self.shop_id, t.automation_rule.c.id == rule_id)
            .values(enabled=enabled)
        )
        return await self.rule(rule_id, field="input.id")

    async def delete_rule(self, rule_id: int) -> None:
        """Enrolments it made keep running."""
        await self.rule(rule_id, field="input.id")
        await self.session.execute(
            delete(t.automation_rule).where(
                t.automation_rule.c.shop_id == self.shop_id, t.automation_rule.c.id == rule_id
            )
        )
