"""Events the shop's webhooks receive, their signature, and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from enum import StrEnum

from domain.text import whole_number

SIGNATURE_HEADER = "X-CustomerHub-Signature"
EVENT_HEADER = "X-CustomerHub-Event"
DELIVERY_HEADER = "X-CustomerHub-Delivery"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
SIGNATURE_TOLERANCE = timedelta(minutes=5)


class EventType(StrEnum):
    TAG_ADDED = "tag.added"
    TAG_REMOVED = "tag.removed"
    SEGMENT_MEMBER_ENTERED = "segment.member_entered"
    SEGMENT_MEMBER_LEFT = "segment.member_left"
    SEQUENCE_STEP_DUE = "sequence.step_due"
    CUSTOMER_MERGED = "customer.merged"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps (replays)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = parts.get("t", "")
    at = whole_number(timestamp)
    if at is None or abs(now - at) > SIGNATURE_TOLERANCE.total_seconds():
        return False
    expected = sign(secret, at, body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


def retry_delay(attempts: int) -> timedelta | None:
    """Wait before the next attempt after ``attempts`` failed ones; None: give up.

    Exponential: 30 s, 1 min, 2 min, 4 min, ... capped at 6 hours, at most 8 attempts.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)
