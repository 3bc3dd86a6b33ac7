"""Phone numbers normalise however they were typed; the carrier comes from phonenumbers."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.phone import (
    carrier_of,
    has_digits,
    normalize_phone,
    normalize_phone_prefix,
    only_digits,
)


@pytest.mark.spec("X2")
@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "0912-345-678",
        "912345678",
        "０９１２ ３４５ ６７８",  # full-width, from an East Asian keyboard
        "+８４ ９１２.３４５.６７８",
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    ],
)
def test_common_formats_normalise_alike(raw: str) -> None:
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.spec("X2")
def test_pre_2018_eleven_digit_prefixes_map_to_new_ones() -> None:
    assert normalize_phone("01689 123 456") == "0389123456"
    assert normalize_phone("+84 1234 567 890") == "0834567890"
    assert normalize_phone_prefix("0123") == "083"
    assert normalize_phone_prefix("0912") == "0912"
    assert normalize_phone_prefix("０１２３") == "083"


@given(st.text())
@example("n/a")
@example("０９１２")
@example("x³²")  # superscripts are digits to isdigit, not to isdecimal
@example("٣")
def test_has_digits_is_whether_only_digits_finds_any(value: str) -> None:
    assert bool(has_digits(value)) == bool(only_digits(value))


def test_no_digits_is_no_phone() -> None:
    assert normalize_phone("") is None
    assert normalize_phone(None) is None
    assert normalize_phone("n/a") is None
    # Superscripts are digits to str.isdigit but not decimal digits.
    assert normalize_phone("³") is None
    assert normalize_phone("0912³45678") == "091245678"


@pytest.mark.spec("X2")
@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("0982345678", "viettel"),
        ("0912345678", "vinaphone"),
        ("0902345678", "mobifone"),
        ("0922345678", "vietnamobile"),
        ("0592345678", "gmobile"),
        ("02438261234", None),
    ],
)
def test_carrier(number: str, carrier: str | None) -> None:
    assert carrier_of(number) == carrier
