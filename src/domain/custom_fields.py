"""Custom fields of subscribers (the chatbot's "trường thông tin"): their definition and values.

A shop defines each field once with a key, a label and a type (text, number or date); a
subscriber holds at most one value per field, stored in the column of the field's type, which
is what a `customField` condition of that type compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, shown
from domain.ingest import MAX_TEXT
from domain.numbers import held
from domain.phone import normalize_phone

MAX_LABEL = 200
MAX_FIELDS_PER_ITEM = 100
_KEY = re.compile(r"[a-z0-9_]{1,64}")


class CustomFieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    PHONE = "phone"
    """A phone number, stored in its 10-digit national form and matched as phones are (any
    format, old 11-digit prefixes); conditions on it are `text` conditions."""


@dataclass(frozen=True, slots=True)
class CustomFieldDefinition:
    key: str
    label: str
    type: CustomFieldType


@dataclass(frozen=True, slots=True)
class CustomFieldItem:
    """A value given for a field by key: text as written; None removes the value."""

    key: str
    value: str | None


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A value in the column of its field's type (the other two are None)."""

    text: str | None = None
    number: Decimal | None = None
    day: date | None = None


def definition(key: str, label: str, kind: CustomFieldType) -> CustomFieldDefinition:
    cleaned = key.strip()
    if not _KEY.fullmatch(cleaned):
        raise DomainError(
            "A key is 1 to 64 characters of a-z, 0-9 and _, e.g. `so_di_dong`.",
            field="input.key",
        )
    name = " ".join(label.split())
    if not name or len(name) > MAX_LABEL:
        raise DomainError(f"Give a label of 1 to {MAX_LABEL} characters.", field="input.label")
    return CustomFieldDefinition(cleaned, name, kind)


def typed_value(kind: CustomFieldType, raw: str, field: str) -> TypedValue | None:
    """``raw`` in the column of ``kind``; None for a blank value (which removes it)."""
    value = raw.strip()
    if not value:
        return None
    match kind:
        case CustomFieldType.TEXT:
            if len(value) > MAX_TEXT:
                raise DomainError(f"At most {MAX_TEXT} characters.", field=field)
            return TypedValue(text=value)
        case CustomFieldType.NUMBER:
            try:
                number = Decimal(value.replace(" ", ""))
            except InvalidOperation:
                number = Decimal("NaN")
            if number.is_nan():
                raise DomainError(f"{shown(raw)} is not a number, e.g. 38 or 12.5.", field=field)
            return TypedValue(number=held(number, field))
        case CustomFieldType.PHONE:
            phone = normalize_phone(value)
            if phone is None:
                raise DomainError(f"{shown(raw)} has no digits; give a phone number.", field=field)
            return TypedValue(text=phone)
        case CustomFieldType.DATE:
            try:
                return TypedValue(day=date.fromisoformat(value))
            except ValueError:
                raise DomainError(
                    f"{shown(raw)} is not a date; write YYYY-MM-DD.", field=field
                ) from None
    raise DomainError(f"Unknown field type {kind!r}.", field=field)


def typed_values(
    items: tuple[CustomFieldItem, ...], types: dict[str, CustomFieldType]
) -> dict[str, TypedValue | None]:
    """The values an item gives, by key, checked against the shop's fields."""
    if len(items) > MAX_FIELDS_PER_ITEM:
        raise DomainError(
            f"At most {MAX_FIELDS_PER_ITEM} custom fields per subscriber.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field="customFields",
        )
    out: dict[str, TypedValue | None] = {}
    for i, item in enumerate(items):
        kind = types.get(item.key)
        if kind is None:
            known = ", ".join(sorted(types)) or "none defined; see customFieldDefine"
            raise DomainError(
                f"Unknown custom field {shown(item.key)} (known: {known}).",
                code=ErrorCode.UNKNOWN_FIELD,
                field=f"customFields.{i}.key",
            )
        if item.key in out:
            raise DomainError(
                f"{shown(item.key)} is given twice.",
                code=ErrorCode.DUPLICATE,
                field=f"customFields.{i}.key",
            )
        raw = item.value
        out[item.key] = None if raw is None else typed_value(kind, raw, f"customFields.{i}.value")
    return out
