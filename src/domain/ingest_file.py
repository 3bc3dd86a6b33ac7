"""Customers from a file (NDJSON or CSV): one line's fields to an item, and the load's report.

A line carries the same fields as an item of ``customerBulkUpsert`` under the same names
(``externalId``, ``firstName``, ... ``createdAt``); absent or empty fields keep what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from domain.customer import Gender
from domain.errors import DomainError, ErrorCode
from domain.ingest_commerce import CustomerItem

TEXT_FIELDS = {
    "externalId": "external_id",
    "firstName": "first_name",
    "lastName": "last_name",
    "fullName": "full_name",
    "email": "email",
    "phone": "phone",
    "address": "address",
    "province": "province",
    "district": "district",
    "ward": "ward",
}
FIELDS = (*TEXT_FIELDS, "gender", "birthday", "createdAt")
_GENDERS = {g.value: g for g in Gender}


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line of the file was not loaded; the other lines are unaffected."""

    line: int
    field: str | None
    code: ErrorCode
    message: str


@dataclass(slots=True)
class ImportReport:
    path: Path
    report_path: Path
    lines: int = 0
    loaded: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    linked_subscribers: int = 0
    ambiguous_links: int = 0
    seconds: float = 0.0
    first_errors: list[LineError] = field(default_factory=list)

    def __str__(self) -> str:
        rate = self.lines / self.seconds if self.seconds else 0.0
        return (
            f"{self.path}: {self.lines} lines in {self.seconds:.1f} s ({rate:,.0f} lines/s); "
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.errors} errors (see {self.report_path}); {self.linked_subscribers} "
            f"subscribers linked, {self.ambiguous_links} left unlinked on an ambiguous match"
        )


def _text(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if type(value) is str:
        if "\x00" in value:
            # PostgreSQL stores no NUL character in text; the API refuses it up front.
            raise DomainError("Text may not contain the NUL character (\\u0000).", field=name)
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DomainError("Expected text.", field=name)
    return str(value)


def _gender(value: str) -> Gender:
    found = _GENDERS.get(value.lower())
    if found is None:
        raise DomainError("Gender is female, male or unknown.", field="gender")
    return found


def _birthday(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("Give the date as YYYY-MM-DD.", field="birthday") from None


def _created_at(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "Give the time as ISO 8601 with its offset, e.g. 2026-11-23T10:00:00+07:00.",
            field="createdAt",
        ) from None


_PARSED = {"gender": ("gender", _gender), "birthday": ("birthday", _birthday)}
_PARSED["createdAt"] = ("created_at", _created_at)


def customer_item(fields: Mapping[str, object]) -> CustomerItem:
    """The item of one line; raises a DomainError naming the field at fault."""
    values: dict[str, object] = {"external_id": ""}
    for name, raw in fields.items():
        snake = TEXT_FIELDS.get(name)
        parsed = _PARSED.get(name) if snake is None else None
        if snake is None and parsed is None:
            raise DomainError(
                f"Unknown field; the fields are {', '.join(FIELDS)}.",
                code=ErrorCode.UNKNOWN_FIELD,
                field=name,
            )
        value = _text(raw, name)
        if value is None:
            continue
        if parsed is not None:
            values[parsed[0]] = parsed[1](value)
        else:
            values[snake] = value  # type: ignore[index]
    return CustomerItem(**values)  # type: ignore[arg-type]
