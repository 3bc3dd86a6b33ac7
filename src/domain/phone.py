"""Vietnamese phone numbers: one normal form for matching, and the carrier.

Numbers arrive as "+84 912 345 678", "84912345678", "0912.345.678", "0912-345-678" or with
the 11-digit mobile prefixes retired in 2018 ("01234 567 890"). All of them normalise to the
national 10-digit form ("0912345678"), so the same person matches however the number was typed,
full-width digits ("０９１２ ３４５ ６７８") included.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import carrier as _carrier

# The 2018 renumbering of 11-digit mobile numbers (old prefix -> new prefix).
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "0162": "032", "0163": "033", "0164": "034", "0165": "035",
    "0166": "036", "0167": "037", "0168": "038", "0169": "039",
    # MobiFone
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    # Vinaphone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    # Vietnamobile
    "0186": "056", "0188": "058",
    # Gmobile
    "0199": "059",
}  # fmt: skip

CARRIERS: dict[str, str] = {
    "Viettel": "viettel",
    "MobiFone": "mobifone",
    "Vinaphone": "vinaphone",
    "Vietnamobile": "vietnamobile",
    "G-Mobile": "gmobile",
    "Itelecom": "itelecom",
    "Reddi": "reddi",
}
"""phonenumbers' carrier names mapped to the codes the API exposes."""

_NOT_DIGITS = re.compile(r"[^0-9]")


def only_digits(value: str) -> str:
    """The decimal digits of ``value`` as 0-9, everything else dropped. Digits typed in
    another script count as theirs: full-width "０９１２" (East Asian keyboards) is 0912."""
    if value.isascii():
        return _NOT_DIGITS.sub("", value)
    return "".join(str(unicodedata.decimal(c)) for c in value if c.isdecimal())


has_digits = re.compile(r"\d").search
"""Whether ``value`` holds a decimal digit, as ``only_digits`` reads them (Unicode category Nd,
as ``str.isdecimal``): what ``only_digits`` returns is then not empty."""


def digits_of(value: str) -> str:
    """The national digits of ``value``: separators dropped, +84 / 84 replaced by 0."""
    digits = only_digits(value)
    if value.strip().startswith("+") or (digits.startswith("84") and len(digits) >= 11):
        if digits.startswith("84"):
            digits = "0" + digits[2:]
    elif digits and not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    return digits


def renumber(digits: str) -> str:
    """Map a national number or prefix with a pre-2018 11-digit mobile prefix to the new one."""
    old = OLD_MOBILE_PREFIXES.get(digits[:4])
    if old is not None and len(digits) <= 11:
        return old + digits[4:]
    return digits


def normalize_phone(value: str | None) -> str | None:
    """The 10-digit national form of a phone number, or None when there are no digits."""
    if value is None:
        return None
    digits = digits_of(value)
    if not digits:
        return None
    return renumber(digits)


def normalize_phone_prefix(value: str) -> str:
    """A typed prefix in the same normal form, so "0123" also finds numbers now "083..."."""
    digits = only_digits(value)
    if digits.startswith("84") and len(digits) > 2:
        digits = "0" + digits[2:]
    return renumber(digits)


def carrier_of(normalized: str | None) -> str | None:
    """The mobile carrier code of a normalised number ("viettel", ...), or None if unknown."""
    if not normalized:
        return None
    try:
        parsed = phonenumbers.parse(normalized, "VN")
    except phonenumbers.NumberParseException:
        return None
    name = _carrier.name_for_number(parsed, "en")
    return CARRIERS.get(name, name.lower() or None) if name else None
