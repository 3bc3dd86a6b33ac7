"""An ``or`` of equalities on one attribute is one comparison with a list of values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql

from domain import filters as f
from domain.errors import DomainError, ErrorCode
from domain.filters import Attr, Profile, TextOp
from infra.filter_sql import where
from infra.filter_sql.scope import scope_for
from infra.filter_sql.values import SEPARATOR

pytestmark = pytest.mark.spec("S7")


def _equals(attr: Attr, value: str) -> f.Compare:
    return f.Compare(attr, f.Text(TextOp.EQUALS, value))


def test_equalities_merge_per_attribute_where_the_first_one_stood() -> None:
    contains = f.Compare(Attr.FULL_NAME, f.Text(TextOp.CONTAINS, "van"))
    negated = f.Not(_equals(Attr.PHONE, "0912000009"))
    items = [
        contains,
        _equals(Attr.PHONE, "0912000001"),
        _equals(Attr.EMAIL, "a@shop.vn"),
        negated,
        _equals(Attr.PHONE, "0912000002"),
        _equals(Attr.FULL_NAME, "An"),
        _equals(Attr.EMAIL, "b@shop.vn"),
        _equals(Attr.PHONE, "0912000003"),
    ]

    assert f.merge_equals(items) == [
        contains,
        f.Compare(Attr.PHONE, f.OneOf(("0912000001", "0912000002", "0912000003"))),
        f.Compare(Attr.EMAIL, f.OneOf(("a@shop.vn", "b@shop.vn"))),
        negated,  # "not equals" is not an equality: each stays a condition
        _equals(Attr.FULL_NAME, "An"),  # alone on its attribute
    ]


def test_items_without_two_equalities_on_one_attribute_stay_as_they_are() -> None:
    items = [_equals(Attr.PHONE, "0912000001"), _equals(Attr.EMAIL, "a@shop.vn")]
    assert f.merge_equals(items) == items


def test_thousands_of_numbers_compile_to_one_argument() -> None:
    """One array argument, however long the list: as many arguments, PostgreSQL tested each
    comparison on every row, and its protocol takes at most 32,767 arguments a statement."""
    numbers = f.Or(tuple(_equals(Attr.PHONE, f"+84 912 {i:06d}") for i in range(40_000)))
    scope = scope_for(Profile.CUSTOMER, 1, datetime(2026, 12, 1, tzinfo=UTC), "Asia/Ho_Chi_Minh")

    compiled = where(numbers, scope).compile(dialect=postgresql.asyncpg.dialect())

    assert compiled.string.count("$") == 1, compiled.string
    (values,) = compiled.params.values()
    # normalised as one equality would be, joined into one text (``values.list_argument``)
    assert values == SEPARATOR.join(f"0912{i:06d}" for i in range(40_000))


def test_the_depth_guard_stands_above_what_graphql_carries() -> None:
    condition: f.Condition = _equals(Attr.PHONE, "0912000001")
    for _ in range(f.MAX_DEPTH - 1):
        condition = f.Not(condition)
    f.check_size(condition, field="filter")

    with pytest.raises(DomainError) as refused:
        f.check_size(f.Not(condition), field="filter")
    assert refused.value.code is ErrorCode.TOO_COMPLEX
