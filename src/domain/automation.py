"""Tag-triggered sequences (T5): when tag X is added, enrol the person in sequence Y.

A step's delay is counted from the enrolment (0 min, 2 h, 23 h: three messages within a day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError, ErrorCode


@dataclass(frozen=True, slots=True)
class Step:
    position: int
    delay_minutes: int


def due_times(enrolled_at: datetime, steps: Sequence[Step]) -> list[tuple[int, datetime]]:
    """When each step of a sequence is due for an enrolment made at ``enrolled_at``."""
    return [
        (step.position, enrolled_at + timedelta(minutes=step.delay_minutes))
        for step in sorted(steps, key=lambda s: s.position)
    ]


MAX_STEPS = 20
MAX_DELAY_MINUTES = 90 * 24 * 60
MAX_SEQUENCE_NAME = 200
MAX_MESSAGE = 2000


class EnrolmentStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"
    DUE = "due"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class SequenceStep:
    position: int
    delay_minutes: int
    message: str


@dataclass(frozen=True, slots=True)
class MessageSequence:
    """A named series of messages; each step's delay counts from the enrolment."""

    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AutomationRule:
    """When ``tag_id`` is added to a subscriber or thread, enrol the person in the sequence."""

    id: int
    tag_id: int
    sequence_id: int
    enabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: int
    sequence_id: int
    subscriber_id: int
    thread_id: int | None
    rule_id: int | None
    status: EnrolmentStatus
    enrolled_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduledStep:
    enrolment_id: int
    position: int
    due_at: datetime
    status: StepStatus


def clean_sequence_name(name: str, *, field: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError("A name is required.", field=field)
    if len(cleaned) > MAX_SEQUENCE_NAME:
        raise DomainError(f"A name has at most {MAX_SEQUENCE_NAME} characters.", field=field)
    return cleaned


def clean_steps(steps: Sequence[tuple[int, str]], *, field: str) -> tuple[SequenceStep, ...]:
    """Steps in the given order, positions 0, 1, ...; a later step is never due earlier."""
    if not steps:
        raise DomainError("A sequence needs at least one step.", field=field)
    if len(steps) > MAX_STEPS:
        raise DomainError(
            f"A sequence has at most {MAX_STEPS} steps; got {len(steps)}.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field=field,
        )
    cleaned: list[SequenceStep] = []
    for position, (delay, message) in enumerate(steps):
        at = f"{field}.{position}"
        if not 0 <= delay <= MAX_DELAY_MINUTES:
            raise DomainError(
                f"A delay is between 0 and {MAX_DELAY_MINUTES} minutes (90 days).",
                code=ErrorCode.INVALID_RANGE,
                field=f"{at}.delayMinutes",
            )
        if cleaned and delay < cleaned[-1].delay_minutes:
            raise DomainError(
                "Delays count from the enrolment, so each step's delay is at least the "
                "previous step's.",
                code=ErrorCode.INVALID_RANGE,
                field=f"{at}.delayMinutes",
            )
        text = message.strip()
        if not text:
            raise DomainError("A step needs a message.", field=f"{at}.message")
        if len(text) > MAX_MESSAGE:
            raise DomainError(
                f"A message has at most {MAX_MESSAGE} characters.", field=f"{at}.message"
            )
        cleaned.append(SequenceStep(position, delay, text))
    return tuple(cleaned)


def check_rule_tag(tag_page_id: int | None, *, field: str) -> None:
    """Rules enrol subscribers, who carry only the social tags of their page."""
    if tag_page_id is None:
        raise DomainError(
            "A rule starts from a social tag (a tag of a page): commerce tags go on customers, "
            "who are not enrolled in message sequences.",
            field=field,
        )
