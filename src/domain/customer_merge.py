"""Merging duplicate customers into one survivor (X1): what a merge request may ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode

MAX_MERGED = 50


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    survivor_id: int
    merged_ids: tuple[int, ...]
    moved_orders: int
    moved_subscribers: int
    moved_threads: int
    moved_member_id: int | None


def check_merge(survivor_id: int, merged_ids: Sequence[int]) -> tuple[int, ...]:
    """The merged ids in the given order; refuses an empty, repeated or self-including list."""
    if not merged_ids:
        raise DomainError("Give at least one customer to merge.", field="input.mergedIds")
    if len(merged_ids) > MAX_MERGED:
        raise DomainError(
            f"At most {MAX_MERGED} customers per merge; got {len(merged_ids)}.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field="input.mergedIds",
        )
    seen: set[int] = set()
    for index, merged in enumerate(merged_ids):
        if merged == survivor_id:
            raise DomainError(
                "The survivor cannot be merged into itself.", field=f"input.mergedIds.{index}"
            )
        if merged in seen:
            raise DomainError(
                "This customer is listed twice.",
                code=ErrorCode.DUPLICATE,
                field=f"input.mergedIds.{index}",
            )
        seen.add(merged)
    return tuple(merged_ids)


def check_memberships(survivor_has_member: bool, merged_members: int) -> None:
    """A customer has at most one loyalty membership, and two ledgers cannot be joined."""
    if merged_members + (1 if survivor_has_member else 0) > 1:
        raise DomainError(
            "More than one of these customers is a loyalty member; a customer keeps one "
            "membership and point ledgers are not combined. Merge the memberships first.",
            code=ErrorCode.CONFLICT,
            field="input.mergedIds",
        )
