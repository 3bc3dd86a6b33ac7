"""Domain errors: each carries a stable code the API exposes and the field it concerns."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    UNSUPPORTED_BY_CHANNEL = "UNSUPPORTED_BY_CHANNEL"
    CONFLICT = "CONFLICT"
    IN_USE = "IN_USE"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    OPERATOR_NOT_ALLOWED = "OPERATOR_NOT_ALLOWED"
    INVALID_RANGE = "INVALID_RANGE"
    TOO_COMPLEX = "TOO_COMPLEX"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    AMBIGUOUS = "AMBIGUOUS"


SHOWN = 60
"""Characters of a given value an error message repeats."""


def shown(value: object) -> str:
    """``value`` as an error message quotes it: its repr, cut to ``SHOWN`` characters. A bad
    value of a hundred kilobytes was repeated whole, in every item error of a batch."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 1]}…"


class DomainError(Exception):
    """A rule of the product was broken by the caller's input; nothing was changed."""

    def __init__(
        self, message: str, *, code: ErrorCode = ErrorCode.INVALID, field: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class NotFound(DomainError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, code=ErrorCode.NOT_FOUND, field=field)


class Forbidden(DomainError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, code=ErrorCode.FORBIDDEN, field=field)
