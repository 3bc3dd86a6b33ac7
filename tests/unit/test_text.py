"""Folding in Python and in SQL agree, so a filter folds its value exactly as the column is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
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
