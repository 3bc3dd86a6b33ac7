"""Bulk ingestion from partner systems: batch limits, per-item errors, and item validation.

Every item is keyed by the partner's external id, so sending the same batch twice creates
nothing twice. Items are validated here, without I/O; what needs the database (references to
other records, unique keys) is checked by ``infra.ingest``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from domain.errors import DomainError, ErrorCode, shown
from domain.period import in_utc

MAX_BATCH = 1000
MAX_KEY = 200
"""Characters of a code kept in a unique index (an external id, a SKU, a member code, a
page's id on its platform): at most 800 bytes in UTF-8. A btree entry holds 2,704; a longer
one is not an error of the data but of the index, and PostgreSQL refuses the row."""
MAX_INDEXED_TEXT = 500
"""Characters of a name, province or district, which are kept folded in btree indexes for
sorting and matching: at most 2,000 bytes in UTF-8 (four a character at worst)."""
MAX_NAME_PART = 200
"""Characters of a first or last name: the two make the full name when none is given."""
MAX_TEXT = 1000
"""Characters of other free text (an address, a ward, a product's name)."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Item = TypeVar("Item")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why one item of a batch was not saved; the other items are unaffected."""

    index: int
    field: str | None
    code: ErrorCode
    message: str


@dataclass(frozen=True, slots=True)
class ItemResult:
    """An item that was saved: the record's id, and whether it was created or updated."""

    index: int
    external_id: str
    id: int
    created: bool


@dataclass(frozen=True, slots=True)
class LinkConflict:
    """A subscriber left unlinked because its phone or e-mail matches several customers."""

    index: int
    subscriber_id: int
    customer_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    results: tuple[ItemResult, ...] = ()
    errors: tuple[ItemError, ...] = ()
    conflicts: tuple[LinkConflict, ...] = ()


def check_batch_size(size: int) -> None:
    if size > MAX_BATCH:
        raise DomainError(
            f"A batch holds at most {MAX_BATCH} items; got {size}. Split it into several calls.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field="items",
        )


def item_error(index: int, error: DomainError) -> ItemError:
    field = f"items.{index}.{error.field}" if error.field else f"items.{index}"
    return ItemError(index=index, field=field, code=error.code, message=error.message)


def validate_batch(
    items: Sequence[Item], validate: Callable[[Item], R], key: Callable[[R], str]
) -> tuple[list[tuple[int, R]], list[ItemError]]:
    """Valid items with their index, and one error per invalid or repeated item.

    An external id repeated inside one batch is an error on its later occurrences: which one
    should win is the partner's decision, not ours.
    """
    check_batch_size(len(items))
    valid: list[tuple[int, R]] = []
    errors: list[ItemError] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            record = validate(item)
        except DomainError as error:
            errors.append(item_error(index, error))
            continue
        if key(record) in seen:
            errors.append(
                item_error(
                    index,
                    DomainError(
                        f"External id {key(record)!r} appears earlier in this batch.",
                        code=ErrorCode.DUPLICATE,
                        field="externalId",
                    ),
                )
            )
            continue
        seen.add(key(record))
        valid.append((index, record))
    return valid, errors


def required_code(value: str | None, field: str, what: str) -> str:
    """A required code, trimmed, of at most ``MAX_KEY`` characters; ``what`` names it in the
    messages ("An external id")."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise DomainError(f"{what} is required.", field=field)
    if len(cleaned) > MAX_KEY:
        raise DomainError(f"{what} has at most {MAX_KEY} characters.", field=field)
    return cleaned


def external_id(value: str | None, field: str = "externalId") -> str:
    return required_code(value, field, "An external id")


def sku(value: str | None, field: str) -> str:
    """A product's SKU, as an order line names it."""
    return required_code(value, field, "A line's product SKU")


def optional_text(value: str | None, field: str, max_length: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise DomainError(f"At most {max_length} characters.", field=field)
    return cleaned or None


def normalize_email(value: str | None, field: str = "email") -> str | None:
    """The e-mail as stored for matching (trimmed, lower-case), or None when absent."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise DomainError(f"{shown(value)} is not an e-mail address.", field=field)
    return cleaned


def aware(value: datetime | None, field: str) -> datetime | None:
    """``value`` if it has an offset and is an instant of the calendar in UTC too (year 1 at
    +07:00 is not: stored, it was an overflow reported as a conflict)."""
    if value is not None and value.tzinfo is None:
        raise DomainError(
            "Give the time with its offset, e.g. 2026-11-23T10:00:00+07:00.", field=field
        )
    if value is not None:
        in_utc(value, field)
    return value
