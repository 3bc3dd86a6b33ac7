"""The merged inbox: merge mode, inbox filters, and how threads become rows (SPEC C1–C12)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.conversation import ThreadKind
from domain.errors import DomainError, ErrorCode, Forbidden
from domain.period import in_utc
from domain.staff import Principal
from domain.subscriber import ConnectionState, PageChannel

MAX_MERGED_PAGES = 20  # SPEC C1
FIRST_THREADS = 3  # SPEC C3: an opened row shows the 3 newest threads first
MORE_THREADS = 30  # SPEC C3: "see more" loads up to 30 at a time

# SPEC C9: the row's avatar comes from Facebook, else Zalo, else any channel.
AVATAR_PREFERENCE: tuple[PageChannel, ...] = (PageChannel.FACEBOOK, PageChannel.ZALO)


def check_merge_switch(principal: Principal) -> None:
    """SPEC C11: only some roles may switch merge mode on or off."""
    if not principal.can_switch_merge_mode:
        raise Forbidden(
            f"The role {principal.role.value} cannot switch merge mode; ask an owner, social "
            "admin, chat staff or default-role member.",
        )


def check_merge_selection(page_ids: Sequence[int], *, field: str) -> tuple[int, ...]:
    """SPEC C1: one to twenty distinct pages."""
    unique = tuple(dict.fromkeys(page_ids))
    if not unique:
        raise DomainError("Choose at least one page to merge.", field=field)
    if len(unique) > MAX_MERGED_PAGES:
        raise DomainError(
            f"At most {MAX_MERGED_PAGES} pages can be merged; {len(unique)} were chosen.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field=field,
        )
    return unique


def check_mergeable(states: Sequence[ConnectionState], *, field: str) -> None:
    if ConnectionState.DISCONNECTED in states:
        raise DomainError("A disconnected page cannot be merged; reconnect it first.", field=field)


def refuse_bulk_in_merge_mode(merge_mode: bool, count: int, *, field: str) -> None:
    """SPEC C12: in merge mode, actions on a selection of threads are not available."""
    if merge_mode and count > 1:
        raise DomainError(
            "Actions on several threads at once are not available in merge mode; act on one "
            "thread, or switch merge mode off.",
            code=ErrorCode.CONFLICT,
            field=field,
        )


def refuse_mark_all_in_merge_mode(merge_mode: bool, *, field: str | None = None) -> None:
    """SPEC C12: "mark all as read" is not available in merge mode."""
    if merge_mode:
        raise DomainError(
            '"Mark all as read" is not available in merge mode; switch merge mode off first.',
            code=ErrorCode.CONFLICT,
            field=field,
        )


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """SPEC C7. Each condition is optional; given ones are combined with AND.

    Boolean conditions are three-valued: None ignores them, True and False select.
    """

    channels: tuple[PageChannel, ...] | None = None
    tag_ids: tuple[int, ...] | None = None
    page_ids: tuple[int, ...] | None = None
    kind: ThreadKind | None = None
    unread: bool | None = None
    unanswered: bool | None = None
    has_phone: bool | None = None
    has_order: bool | None = None
    assigned_staff_ids: tuple[int, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        # Without an offset a time is UTC, as the driver read it; with one, it must be an
        # instant of the calendar in UTC (it was an internal error).
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, in_utc(value, f"filter.{name}"))
        if self.since is not None and self.until is not None and self.since > self.until:
            raise DomainError(
                "The date range starts after it ends.",
                code=ErrorCode.INVALID_RANGE,
                field="filter.until",
            )


@dataclass(frozen=True, slots=True)
class RowPosition:
    """Where a row stands in the inbox: the time and id of its newest thread."""

    last_message_at: datetime
    thread_id: int

    def encode(self) -> str:
        return f"{self.last_message_at.isoformat()}|{self.thread_id}"

    @classmethod
    def decode(cls, raw: str) -> RowPosition | None:
        when, _, ident = raw.rpartition("|")
        try:
            return cls(datetime.fromisoformat(when), int(ident))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One person in the inbox: the newest of their threads decides the row's place."""

    person_key: int
    customer_id: int | None
    newest_thread_id: int
    last_message_at: datetime


@dataclass(frozen=True, slots=True)
class RowSummary:
    """What a collapsed row shows besides its time (SPEC C4, C6, C9)."""

    thread_count: int
    unread_threads: int
    paused: bool
    avatar_url: str | None


def introduction(states: Sequence[ConnectionState]) -> bool:
    """SPEC C13: with no page left on the account, it returns to the introduction state."""
    return all(state is ConnectionState.DISCONNECTED for state in states)
