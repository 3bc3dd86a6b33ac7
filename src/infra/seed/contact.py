"""Phone numbers and e-mail addresses of the demo people, unique by construction.

A person's number comes from a bijection of their ordinal onto the valid mobile numbers, so two
people share a number only when the generator decides they do (customers on even positions,
people who are not customers on odd ones). Numbers are then written the way people type them.
"""

from __future__ import annotations

import random
from math import gcd

from domain.phone import OLD_MOBILE_PREFIXES, carrier_of, normalize_phone
from domain.text import fold
from infra.seed import vietnam

EXPECTED_CARRIERS = {"viettel", "vinaphone", "mobifone", "vietnamobile", "gmobile"}


def _valid_prefixes() -> tuple[tuple[str, ...], dict[str, str]]:
    prefixes: list[str] = []
    carriers: dict[str, str] = {}
    for three in vietnam.MOBILE_PREFIXES:
        for digit in "0123456789":
            prefix = three + digit
            # phonenumbers decides the carrier (and validity) from at most these four digits.
            name = carrier_of(prefix + "123456")
            if name in EXPECTED_CARRIERS:
                prefixes.append(prefix)
                carriers[prefix] = name
    return tuple(prefixes), carriers


PREFIXES, _CARRIER_BY_PREFIX = _valid_prefixes()
_HALF = len(PREFIXES) * 500_000
_MULTIPLIER = next(m for m in range(7_368_787, 8_000_000, 2) if gcd(m, _HALF) == 1)
_OLD_FORM = {new: old for old, new in OLD_MOBILE_PREFIXES.items()}
_FOLDED: dict[str, str] = {}


def carrier(normalized: str) -> str | None:
    """``carrier_of`` for the generated numbers, looked up once per four-digit prefix."""
    name = _CARRIER_BY_PREFIX.get(normalized[:4])
    return name if name is not None else carrier_of(normalized)


def phone_number(seed_offset: int, ordinal: int, *, customer: bool) -> str:
    """The normalised number of the ``ordinal``-th customer (or other person) of a seed."""
    x = (ordinal * _MULTIPLIER + seed_offset) % _HALF
    x = 2 * x + (0 if customer else 1)
    return f"{PREFIXES[x // 1_000_000]}{x % 1_000_000:06d}"


def seed_offset(seed: int) -> int:
    return random.Random(f"phones:{seed}").randrange(_HALF)


def written(normalized: str, r: float) -> str:
    """``normalized`` as somebody typed it; ``r`` in [0, 1) picks the form."""
    n = normalized
    if r < 0.40:
        return n
    if r < 0.50:
        return f"{n[:4]} {n[4:7]} {n[7:]}"
    if r < 0.60:
        return f"{n[:4]}.{n[4:7]}.{n[7:]}"
    if r < 0.75:
        return f"+84 {n[1:4]} {n[4:7]} {n[7:]}"
    if r < 0.85:
        return "84" + n[1:]
    if r < 0.90:
        return "+84" + n[1:]
    old = _OLD_FORM.get(n[:3])
    if old is not None:
        rest = n[3:]
        return f"{old}{rest[0]} {rest[1:4]} {rest[4:]}" if r < 0.97 else old + rest
    return f"{n[:4]}-{n[4:7]}-{n[7:]}"


def normalized_of(value: str) -> str:
    result = normalize_phone(value)
    assert result is not None
    return result


def ascii_name(name: str) -> str:
    folded = _FOLDED.get(name)
    if folded is None:
        folded = _FOLDED[name] = fold(name).replace(" ", "")
    return folded


def email(given: str, family: str, ordinal: int, r: float, case: float, domain: str) -> str:
    """A unique address: the letters come from the name, the trailing digits are the ordinal.

    ``r`` picks the layout and ``case`` how carefully it was typed (a few are in capitals or
    carry stray spaces, as imported spreadsheets do).
    """
    g, f = ascii_name(given), ascii_name(family)
    if r < 0.35:
        local = f"{g}{f}{ordinal}"
    elif r < 0.6:
        local = f"{g}.{f}{ordinal}"
    elif r < 0.8:
        local = f"{f}{g}{ordinal}"
    else:
        local = f"{f}.{g}{ordinal}"
    if case < 0.04:
        return f"{local}@{domain}".upper()
    if case < 0.1:
        return f"{local.capitalize()}@{domain.capitalize()}"
    if case < 0.12:
        return f" {local}@{domain} "
    return f"{local}@{domain}"
