"""Numbers as the database holds them exactly: amounts of VND, and any other given number."""

from __future__ import annotations

from decimal import Decimal

from domain.errors import DomainError, shown

MAX_AMOUNT = Decimal(10) ** 13
"""Every amount (an order's total, a line) is below this, ten thousand billion VND, which keeps
an order's total of up to 200 lines within the order columns' 16 digits (a customer's total
spent has no precision: any sum of orders fits)."""


def vnd(value: Decimal, field: str) -> Decimal:
    """``value`` if it is a whole amount of VND from 0 to below ``MAX_AMOUNT``. NaN and the
    infinities are refused first: compared with a number, a NaN raises."""
    if (
        not value.is_finite()
        or value < 0
        or value >= MAX_AMOUNT
        or value != value.to_integral_value()
    ):
        raise DomainError(
            f"The amount must be a whole number of VND from 0 to below {MAX_AMOUNT:,.0f};"
            f" got {shown(value)}.",
            field=field,
        )
    return value


MAX_DIGITS = 38
"""A given number (a filter's bound, a custom field's value) has fewer than this many digits
before the point and at most this many after it. Past that, the driver's binary form of a
numeric silently wrapped (1e200000 was stored and compared as 0) or PostgreSQL refused it."""


def held(value: Decimal, field: str) -> Decimal:
    """``value`` if it is a finite number within ``MAX_DIGITS``."""
    if not value.is_finite():
        raise DomainError(f"Give a finite number, not {value}.", field=field)
    exponent = value.as_tuple().exponent
    if value and (
        value.adjusted() >= MAX_DIGITS or (isinstance(exponent, int) and exponent < -MAX_DIGITS)
    ):
        raise DomainError(
            f"Give a number with fewer than {MAX_DIGITS} digits before the point and at most"
            f" {MAX_DIGITS} after it; got {shown(value)}.",
            field=field,
        )
    return value
