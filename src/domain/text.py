"""Vietnamese-aware folding: case, diacritics and đ are ignored when matching text.

The same table is compiled into the SQL function ``vn_fold`` by the first migration, so a
value folded here equals the value PostgreSQL folds; ``tests/unit/test_text.py`` checks both
stay identical.
"""

from __future__ import annotations

import unicodedata

# Combining marks that Vietnamese uses when text arrives decomposed (NFD): grave, acute,
# circumflex, tilde, breve, hook above, horn and dot below. Folding deletes them.
COMBINING_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"


def _build_table() -> tuple[str, str]:
    sources: list[str] = []
    targets: list[str] = []
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base.isascii() and base.isalpha() and base != char:
            sources.append(char)
            targets.append(base.lower())
    sources += ["đ", "Đ"]
    targets += ["d", "d"]
    return "".join(sources), "".join(targets)


FOLD_FROM, FOLD_TO = _build_table()
_TABLE: dict[int, str | None] = {ord(s): t for s, t in zip(FOLD_FROM, FOLD_TO, strict=True)}
_TABLE.update({ord(mark): None for mark in COMBINING_MARKS})


def fold(value: str) -> str:
    """Lower-case ``value`` and strip Vietnamese diacritics ("Lê Đại Hành" -> "le dai hanh")."""
    return value.translate(_TABLE).lower()


def whole_number(text: str, max_digits: int = 18) -> int | None:
    """``text`` as a number when it is 1 to ``max_digits`` ASCII digits (18 keeps it within a
    bigint), else None. ``str.isdigit`` also takes "³" and "٣": ``int`` refuses the first,
    which was an internal error for an id or cursor made of it."""
    if 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
