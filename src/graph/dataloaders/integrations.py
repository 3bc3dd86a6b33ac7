"""Loaders of automation and webhooks: steps of sequences and enrolments, deliveries' parts."""

from __future__ import annotations

from functools import cached_property

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import (
    AutomationRule,
    Enrolment,
    MessageSequence,
    ScheduledStep,
    SequenceStep,
)
from domain.webhook import Attempt, Delivery, Event, Subscription
from graph.dataloaders import loader
from infra.repositories.automation_admin import (
    EnrolmentRepository,
    RuleRepository,
    SequenceRepository,
)
from infra.repositories.webhook_admin import (
    DeliveryRepository,
    EventRepository,
    SubscriptionRepository,
)


class IntegrationLoaders:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.sequences = SequenceRepository(session, shop_id)
        self.rules = RuleRepository(session, shop_id)
        self.enrolments = EnrolmentRepository(session, shop_id)
        self.events = EventRepository(session, shop_id)
        self.deliveries = DeliveryRepository(session, shop_id)
        self.subscriptions = SubscriptionRepository(session, shop_id)

    @cached_property
    def sequence_by_id(self) -> DataLoader[int, MessageSequence | None]:
        return loader(self.sequences.get_many)

    @cached_property
    def rule_by_id(self) -> DataLoader[int, AutomationRule | None]:
        return loader(self.rules.get_many)

    @cached_property
    def enrolment_by_id(self) -> DataLoader[int, Enrolment | None]:
        return loader(self.enrolments.get_many)

    @cached_property
    def delivery_by_id(self) -> DataLoader[int, Delivery | None]:
        return loader(self.deliveries.get_many)

    @cached_property
    def steps_by_sequence_id(self) -> DataLoader[int, list[SequenceStep]]:
        return loader(self.sequences.steps_of)

    @cached_property
    def scheduled_steps_by_enrolment_id(self) -> DataLoader[int, list[ScheduledStep]]:
        return loader(self.enrolments.steps_of)

    @cached_property
    def event_by_id(self) -> DataLoader[int, Event | None]:
        return loader(self.events.get_many)

    @cached_property
    def subscription_by_id(self) -> DataLoader[int, Subscription | None]:
        return loader(self.subscriptions.get_many)

    @cached_property
    def attempts_by_delivery_id(self) -> DataLoader[int, list[Attempt]]:
        return loader(self.deliveries.attempts_of)
