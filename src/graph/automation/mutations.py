"""Mutations on sequences and automation rules (T5)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.automation import clean_sequence_name, clean_steps
from graph.automation.types import AutomationRule, MessageSequence
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, perform
from infra.repositories.automation_admin import AutomationAdmin


@strawberry.input(description="One step of a sequence; steps are sent in the order given.")
class SequenceStepInput:
    delay_minutes: int = strawberry.field(
        description="Minutes after the enrolment, e.g. 0, 120, 1380; never less than the "
        "previous step's."
    )
    message: str = strawberry.field(description="What is sent at that time.")


@strawberry.input(description="A new sequence with its steps.")
class SequenceCreateInput:
    name: str = strawberry.field(description="Name, unique in the shop.")
    steps: list[SequenceStepInput] = strawberry.field(description="1 to 20 steps, in order.")


@strawberry.input(description="Rename a sequence or replace its steps; omitted fields stay.")
class SequenceUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The sequence.")
    name: str | None = strawberry.field(default=None, description="New name.")
    steps: list[SequenceStepInput] | None = strawberry.field(
        default=None,
        description="The new steps, replacing all; people already enrolled keep their times.",
    )


@strawberry.input(description="Delete a sequence and its rules.")
class SequenceDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The sequence.")
    force: bool = strawberry.field(
        default=False, description="Also when people are going through it (their steps stop)."
    )


@strawberry.input(description='A rule "when tag X is added, enrol the person in sequence Y".')
class AutomationRuleCreateInput:
    tag_id: relay.GlobalID = strawberry.field(description="A social tag (a tag of a page).")
    sequence_id: relay.GlobalID = strawberry.field(description="The sequence.")
    enabled: bool = strawberry.field(default=True, description="Whether the rule acts.")


@strawberry.input(description="Enable or disable a rule.")
class AutomationRuleUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The rule.")
    enabled: bool = strawberry.field(description="Whether the rule acts.")


@strawberry.input(description="Delete a rule; enrolments it made keep running.")
class AutomationRuleDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The rule.")


@strawberry.type(description="Result of creating or changing a sequence.")
class SequencePayload:
    sequence: MessageSequence | None = strawberry.field(description="The sequence, on success.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of deleting a sequence.")
class SequenceDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="Id of the deleted sequence.")
    stopped_enrolments: int = strawberry.field(description="Running enrolments that were stopped.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of creating or changing a rule.")
class AutomationRulePayload:
    rule: AutomationRule | None = strawberry.field(description="The rule, on success.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of deleting a rule.")
class AutomationRuleDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="Id of the deleted rule.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


def _admin(info: Info) -> AutomationAdmin:
    return AutomationAdmin(info.context.session, info.context.shop_id)


def _steps(steps: list[SequenceStepInput]) -> list[tuple[int, str]]:
    return [(s.delay_minutes, s.message) for s in steps]


@strawberry.type
class AutomationMutation:
    @strawberry.mutation(description="Create a sequence of timed messages (SPEC T5).")
    async def sequence_create(self, info: Info, input: SequenceCreateInput) -> SequencePayload:
        async def run() -> MessageSequence:
            name = clean_sequence_name(input.name, field="input.name")
            steps = clean_steps(_steps(input.steps), field="input.steps")
            return MessageSequence.from_domain(await _admin(info).create_sequence(name, steps))

        sequence, errors = await perform(info, run)
        return SequencePayload(sequence=sequence, user_errors=errors)

    @strawberry.mutation(description="Rename a sequence or replace its steps.")
    async def sequence_update(self, info: Info, input: SequenceUpdateInput) -> SequencePayload:
        async def run() -> MessageSequence:
            sequence_id = node_id(input.id, "Sequence", field="input.id")
            name = (
                None if input.name is None else clean_sequence_name(input.name, field="input.name")
            )
            steps = (
                None
                if input.steps is None
                else clean_steps(_steps(input.steps), field="input.steps")
            )
            updated = await _admin(info).update_sequence(sequence_id, name=name, steps=steps)
            return MessageSequence.from_domain(updated)

        sequence, errors = await perform(info, run)
        return SequencePayload(sequence=sequence, user_errors=errors)

    @strawberry.mutation(description="Delete a sequence with its rules.")
    async def sequence_delete(
        self, info: Info, input: SequenceDeleteInput
    ) -> SequenceDeletePayload:
        async def run() -> int:
            sequence_id = node_id(input.id, "Sequence", field="input.id")
            return await _admin(info).delete_sequence(sequence_id, force=input.force)

        stopped, errors = await perform(info, run)
        return SequenceDeletePayload(
            deleted_id=None if errors else input.id,
            stopped_enrolments=stopped or 0,
            user_errors=errors,
        )

    @strawberry.mutation(description='Create a rule "tag X added → enrol in sequence Y" (T5).')
    async def automation_rule_create(
        self, info: Info, input: AutomationRuleCreateInput
    ) -> AutomationRulePayload:
        async def run() -> AutomationRule:
            tag_id = node_id(input.tag_id, "Tag", field="input.tagId")
            sequence_id = node_id(input.sequence_id, "Sequence", field="input.sequenceId")
            created = await _admin(info).create_rule(
                tag_id=tag_id, sequence_id=sequence_id, enabled=input.enabled
            )
            return AutomationRule.from_domain(created)

        rule, errors = await perform(info, run)
        return AutomationRulePayload(rule=rule, user_errors=errors)

    @strawberry.mutation(description="Enable or disable a rule.")
    async def automation_rule_update(
        self, info: Info, input: AutomationRuleUpdateInput
    ) -> AutomationRulePayload:
        async def run() -> AutomationRule:
            rule_id = node_id(input.id, "AutomationRule", field="input.id")
            return AutomationRule.from_domain(
                await _admin(info).set_rule_enabled(rule_id, input.enabled)
            )

        rule, errors = await perform(info, run)
        return AutomationRulePayload(rule=rule, user_errors=errors)

    @strawberry.mutation(description="Delete a rule; enrolments it made keep running.")
    async def automation_rule_delete(
        self, info: Info, input: AutomationRuleDeleteInput
    ) -> AutomationRuleDeletePayload:
        async def run() -> None:
            await _admin(info).delete_rule(node_id(input.id, "AutomationRule", field="input.id"))

        _, errors = await perform(info, run)
        return AutomationRuleDeletePayload(
            deleted_id=None if errors else input.id, user_errors=errors
        )
