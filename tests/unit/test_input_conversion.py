"""Filter inputs built by the fields given (``graph.input_conversion``) against strawberry's
own conversion: for generated values of every such type, as graphql-core coerces them, the
same objects, field by field; and an instance holds just the fields given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql.utilities.coerce_input_value import coerce_input_value
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from graph.input_conversion import _BUILDERS
from graph.schema import schema
from graphql import Undefined
from tests.input_values import TYPES, of_type

BUILT = {get_object_definition(t, strict=True).name: t for t in _BUILDERS}


def convert(value: Any, type_: type) -> Any:
    return convert_argument(
        value, type_, schema.schema_converter.scalar_registry, schema.config, path=("filter",)
    )


@contextmanager
def strawberry_own() -> Iterator[None]:
    """Strawberry's conversion of every field declared, without the builders."""
    definitions = [get_object_definition(t, strict=True) for t in _BUILDERS]
    saved = [d.from_input for d in definitions]
    for d in definitions:
        d.from_input = None
    try:
        yield
    finally:
        for d, hook in zip(definitions, saved, strict=True):
            d.from_input = hook


def same(a: Any, b: Any) -> bool:
    """Objects of the same type whose every field is the same, lists item by item."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    definition = get_object_definition(type(a))
    if definition is None:
        return bool(a == b)
    names = [f.python_name for f in definition.fields]
    return all(same(getattr(a, n), getattr(b, n)) for n in names)


@pytest.mark.parametrize("name", sorted(BUILT))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_same_as_strawberry(name: str, data: st.DataObject) -> None:
    coerced = coerce_input_value(data.draw(of_type(TYPES[name], wrong=False)), TYPES[name])
    assume(coerced is not Undefined)
    built = convert(coerced, BUILT[name])
    with strawberry_own():
        expected = convert(coerced, BUILT[name])
    assert same(built, expected)


def test_an_instance_holds_the_fields_given() -> None:
    """Fifty fields declared, two given, one of them null: `vars` lists the two."""
    filter_type = TYPES["ProfileFilter"]
    value = {"phone": {"startsWith": "0123"}, "email": None}
    built = convert(coerce_input_value(value, filter_type), BUILT["ProfileFilter"])
    assert list(vars(built)) == ["email", "phone"]  # as graphql-core declares them
    assert built.email is None
    assert built.gender is get_object_definition(BUILT["ProfileFilter"]).fields[6].default
    assert vars(built.phone) == {"starts_with": "0123"}
    assert built.phone.equals is None
    with strawberry_own():
        assert built == convert(coerce_input_value(value, filter_type), BUILT["ProfileFilter"])
