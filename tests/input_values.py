"""Generated variable values for the schema's input types, for the tests that hold the
service's reading of inputs (``graph.coercion``, ``graph.input_conversion``) to graphql-core's
and strawberry's own."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graph.schema import schema
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    is_required_input_field,
)

TYPES = {
    name: type_
    for name, type_ in schema._schema.type_map.items()
    if isinstance(type_, GraphQLInputObjectType) and not name.startswith("__")
}
"""The schema's input types by name."""

SAMPLES = (
    *("", "0123", "12.5", "-3", "1e400", "abc", "Đà Nẵng", "{}", "Q3VzdG9tZXI6MQ=="),
    *("2026-02-29", "2026-12-07", "2026-12-07T10:00:00Z", "2026-13-01"),
    *("female", "FEMALE", "DAYS", "viettel"),
)
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SAMPLES),
    st.just([]),
    st.just({}),
    st.just({"unknown": 1}),
)
"""JSON values of every kind, some a scalar accepts, most it refuses."""

SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": st.sampled_from(["", " ", "0123", "Văn", "Đà Nẵng", "a@b.vn"]),
    "Int": st.integers(min_value=-5, max_value=400),
    "Float": st.floats(min_value=-1e6, max_value=1e6),
    "Boolean": st.booleans(),
    "ID": st.sampled_from(["1", "abc"]),
    "Decimal": st.sampled_from(["0", "12.5", "-3", "100000"]),
    "Date": st.sampled_from(["2026-02-28", "2026-12-07"]),
    "DateTime": st.sampled_from(["2026-12-07T10:00:00Z", "2026-01-01T00:00:00+07:00"]),
    "JSON": st.sampled_from([{}, 1, "x"]),
}
"""Values each scalar accepts."""


def shuffled(value: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``value`` with its keys in any order, as a client may write them."""
    return st.permutations(list(value.items())).map(dict)


def of_type(type_: GraphQLInputType, depth: int = 0, *, wrong: bool) -> st.SearchStrategy[Any]:
    """Values for ``type_``, an object's fields in any order: of its shape, with nulls where it
    allows them; with ``wrong``, also nulls where it does not, required fields left out,
    unknown fields, and values of other shapes."""
    if isinstance(type_, GraphQLNonNull):
        shaped = _shaped(type_.of_type, depth, wrong)
        return st.one_of(shaped, st.none()) if wrong and depth else shaped
    return (
        st.one_of(st.none(), _shaped(type_, depth, wrong))
        if depth
        else _shaped(type_, depth, wrong)
    )


def _shaped(type_: GraphQLInputType, depth: int, wrong: bool) -> st.SearchStrategy[Any]:
    shapes: list[st.SearchStrategy[Any]]
    if isinstance(type_, GraphQLList):
        item = of_type(type_.of_type, depth + 1, wrong=wrong)
        shapes = [st.lists(item, max_size=3), item]  # one value is taken as a list of one
    elif isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields
        required = [n for n, f in fields.items() if is_required_input_field(f)]
        always = [] if wrong else required  # wrong: a required field may be left out
        maybe = [n for n in fields if n not in always] if depth < 3 else []
        chosen = st.lists(st.sampled_from(maybe), max_size=3, unique=True) if maybe else st.just([])

        def object_of(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
            members = {n: of_type(fields[n].type, depth + 1, wrong=wrong) for n in always + names}
            return st.fixed_dictionaries(members)

        shapes = [chosen.flatmap(object_of).flatmap(shuffled)]
        if wrong:
            shapes.append(chosen.flatmap(object_of).map(lambda v: {**v, "unknown": 1}))
    elif isinstance(type_, GraphQLEnumType):
        shapes = [st.sampled_from(list(type_.values))]
    else:
        shapes = [SCALARS[type_.name]]
    shaped = st.one_of(*shapes)
    if wrong:  # a wrong value one time in four, so that values right all through come often
        return st.integers(0, 3).flatmap(lambda k: shaped if k else ODD)
    return shaped
