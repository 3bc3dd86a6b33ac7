"""Folding in Python and in SQL agree, so a filter folds its value exactly as the column is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.text import COMBINING_MARKS, FOLD_FROM, FOLD_TO, fold

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0001_data_model.py"


def test_migration_holds_the_same_table() -> None:
    spec = importlib.util.spec_from_file_location("m0001", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.FOLD_FROM == FOLD_FROM + COMBINING_MARKS
    assert module.FOLD_TO == FOLD_TO


@pytest.mark.spec("X2")
@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Lê Đại Hành", "le dai hanh"),
        ("NGUYỄN VĂN ĐỨC", "nguyen van duc"),
        ("Văn", "van"),
        ("Va\u0306n", "van"),  # decomposed input
        ("Phạm Thị Ánh Tuyết", "pham thi anh tuyet"),
        ("182 Lê Đại Hành", "182 le dai hanh"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.spec("X2")
async def test_sql_vn_fold_equals_python_fold(session: AsyncSession) -> None:
    samples = ["Lê Đại Hành", "NGUYỄN VĂN ĐỨC", "Va\u0306n", FOLD_FROM, "ỳýỷỹỵ ƯỪỨỬỮỰ", "abc 123"]
    for sample in samples:
        got = await session.scalar(text("SELECT vn_fold(:v)"), {"v": sample})
        assert got == fold(sample), sample


def _migration(name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, MIGRATION.with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_short_vietnamese_table_folds_like_the_full_one() -> None:
    fast = _migration("0009_faster_vn_fold")
    pairs = zip(fast.VIETNAMESE_FROM, fast.VIETNAMESE_TO, strict=True)  # type: ignore[attr-defined]
    assert all(fold(letter) == target for letter, target in pairs)
    assert len(fast.VIETNAMESE_FROM) == 134  # type: ignore[attr-defined]
    assert fast.MARKS == COMBINING_MARKS  # type: ignore[attr-defined]


_ALPHABET = st.sampled_from(
    list("abcXYZ 019-@.%_") + list(FOLD_FROM[::7]) + list(COMBINING_MARKS) + list("đĐơƯẫỹ€ßΩж")
)


@pytest.mark.spec("X2")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=20))
async def test_sql_vn_fold_equals_python_fold_on_generated_text(
    session: AsyncSession, values: list[str]
) -> None:
    folded = await session.scalar(
        text(
            "SELECT array_agg(vn_fold(v) ORDER BY i) FROM unnest(CAST(:vs AS text[])) WITH ORDINALITY u(v, i)"
        ),
        {"vs": values},
    )
    expected = [fold(v) for v in values]
    # lower() of letters outside the fold table follows the server's locale; compare those alike
    assert [f.lower() for f in folded] == [e.lower() for e in expected]
