"""The short coercion of variables (``graph.coercion``) against graphql-core's own, on every
input type of the API's schema: generated values, right and wrong, coerce to the same result
(the same types, the same keys in the same order) or are refused by both."""

from __future__ import annotations

from typing import Any

import graphql.execution.values as values
import pytest
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.utilities.coerce_input_value import coerce_input_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.coercion import coerce_variable, input_is_nested_too_deeply
from graphql import (
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from tests.input_values import TYPES, of_type


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, dicts with the same keys in the same order."""
    if a is Undefined or b is Undefined:
        return a is b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def graphql_core(value: Any, type_: GraphQLInputType) -> Any:
    """What graphql-core's variable coercion does: its depth check, then its coercion (its own
    functions, as ``graph.coercion`` took them before rebinding the names)."""
    assert input_is_nested_too_deeply.__module__ == "graphql.execution.values"
    if input_is_nested_too_deeply(value, type_):
        return RecursionError
    return coerce_input_value(value, type_)


def short(value: Any, type_: GraphQLInputType) -> Any:
    try:
        return coerce_variable(value, type_)
    except RecursionError:
        return RecursionError


@pytest.mark.parametrize("name", sorted(TYPES))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_same_as_graphql_core(name: str, data: st.DataObject) -> None:
    type_ = TYPES[name]
    value = data.draw(of_type(type_, wrong=True))
    assert same(short(value, type_), graphql_core(value, type_))
    assert same(short(value, GraphQLNonNull(type_)), graphql_core(value, GraphQLNonNull(type_)))
    assert same(short([value], GraphQLList(type_)), graphql_core([value], GraphQLList(type_)))


LEAF_LISTS = {
    str(field.type): field.type
    for type_ in TYPES.values()
    for field in type_.fields.values()
    if isinstance(get_nullable_type(field.type), GraphQLList)
    and is_leaf_type(get_named_type(field.type))
}
"""Every list of scalars or enum values the schema's inputs take ([String!], [PageChannel!],
[Int!] ...), which the short coercion reads in one loop."""


@pytest.mark.parametrize("name", sorted(LEAF_LISTS))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_lists_of_leaves_as_graphql_core(name: str, data: st.DataObject) -> None:
    type_ = LEAF_LISTS[name]
    item = of_type(get_nullable_type(type_).of_type, 1, wrong=data.draw(st.booleans()))
    value = data.draw(st.lists(item, min_size=1, max_size=6))
    assert same(short(value, type_), graphql_core(value, type_))


@pytest.mark.parametrize(
    ("name", "declared", "given"),
    [
        ("ProfileFilter", ["utmSource", "utmMedium", "utmCampaign"], {"hasValue": True}),
        ("TextFilter", ["equals", "contains", "startsWith"], "0912"),
    ],
)
def test_fields_given_in_any_order_come_out_in_declared_order(
    name: str, declared: list[str], given: Any
) -> None:
    """As graphql-core gives them, for a type whose fields have no default and for one whose
    fields all have one."""
    value = {n: given for n in reversed(declared)}
    coerced = coerce_variable(value, TYPES[name])
    assert same(coerced, coerce_input_value(value, TYPES[name]))
    assert [k for k in coerced if k in value] == declared


@pytest.mark.spec("S7")
def test_a_large_filter_coerces_as_graphql_core_does() -> None:
    """An `or` of many conditions, the case the short coercion is for."""
    filter_type = TYPES["ProfileFilter"]
    value = {
        "or": [{"phone": {"equals": f"09{i:08d}"}, "totalSpent": {"min": i}} for i in range(300)]
    }
    coerced = coerce_variable(value, filter_type)
    assert same(coerced, coerce_input_value(value, filter_type))
    assert list(coerced["or"][0]["phone"]) == list(TYPES["TextFilter"].fields)  # nulls filled


@pytest.mark.parametrize(
    ("via", "levels"),
    [("not", MAX_NESTING_DEPTH - n) for n in (3, 2, 1)] + [("or", n) for n in (98, 99, 100)],
)
@pytest.mark.parametrize(
    ("bottom", "steps"),
    [
        ({"equals": "0912345678"}, 2),
        ({"anyOf": ["0912345678", "0987654321"]}, 3),
        ({"anyOf": []}, 2),
    ],
)
@pytest.mark.parametrize("refused_on_top", [False, True])
def test_nesting_as_deep_as_graphql_core_allows(
    via: str, levels: int, bottom: dict[str, Any], steps: int, refused_on_top: bool
) -> None:
    """`not` within `not` (a step of the type each), or `or` within `or` (two: the field and
    the list's item), a phone condition at the bottom: two steps deep, or three where its
    value is a list with items (an empty list has none to count). With a wrong value on top, the short coercion gives up
    before it reaches the bottom."""
    filter_type = TYPES["ProfileFilter"]
    value: dict[str, Any] = {"phone": bottom}
    for _ in range(levels):
        value = {via: value if via == "not" else [value], "gender": {"anyOf": ["female"]}}
    if refused_on_top:
        value["and"] = 5  # `and` comes first, and takes a list of filters
    expected = graphql_core(value, filter_type)
    too_deep = levels * (1 if via == "not" else 2) + steps > MAX_NESTING_DEPTH
    assert (expected is RecursionError) is too_deep
    assert (expected is Undefined) is (refused_on_top and not too_deep)
    assert same(short(value, filter_type), expected)


def test_the_schema_coerces_variables_so() -> None:
    """Building the API's schema puts the short coercion, depth check included, in
    graphql-core's variable path."""
    assert values.coerce_input_value is coerce_variable
    assert values.input_is_nested_too_deeply(5, TYPES["ProfileFilter"]) is False
