"""Tag-triggered sequences (T5): when tag X is added, enrol the person in sequence Y.

A step's delay is counted from the enrolment (0 min, 2 h, 23 h: three messages within a day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


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
