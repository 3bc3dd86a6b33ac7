"""A stored condition written back as input converts to the very same condition.

Hypothesis writes filter inputs over every field of the catalogue and every operator its kind
allows, nested in and / or / not, for the customer and the subscriber list. Each is coerced by
the schema and converted as a request's argument is; the condition is written back by
``Encoder``, and that input, coerced and converted the same way, must give an equal
condition.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument

from domain.customer import Channel, Gender
from domain.filter_catalogue import FIELDS, OPERATORS, FieldKind
from domain.filters import Condition, Group, Profile
from domain.phone import CARRIERS
from graph.filters.convert import Converter, camel
from graph.filters.encode import Encoder
from graph.filters.inputs import GroupInput, ProfileFilter
from graph.schema import schema
from graphql import GraphQLInputType, coerce_input_value

Json = dict[str, Any]

CUSTOM_FIELDS = {"ghi_chu": "text", "so_do": "number", "han_chot": "date", "so_di_dong": "phone"}
ALLOWED = {
    "gender": sorted(g.value for g in Gender),
    "carrier": sorted(set(CARRIERS.values())),
    "channel": sorted(c.value for c in Channel),
}

words = st.text(alphabet="aăâđeêoôơuưy ĐỨCVăn0123-.", min_size=1, max_size=8).filter(
    lambda s: s.strip() != ""
)
digits = words.filter(lambda s: any(c.isdigit() for c in s))
amounts = st.decimals(min_value=-1000, max_value=10**9, places=2, allow_nan=False)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def periods(draw: st.DrawFn) -> Json:
    kind = draw(st.sampled_from(["range", "from", "to", "last", "next", "thisMonth"]))
    if kind in ("last", "next"):
        unit = draw(st.sampled_from(["DAYS", "WEEKS", "MONTHS"]))
        return {kind: {"amount": draw(st.integers(1, 1200)), "unit": unit}}
    if kind == "thisMonth":
        return {"thisMonth": True}
    start = draw(days)
    end = start + timedelta(days=draw(st.integers(0, 400)))
    chosen = {"from": start.isoformat(), "to": end.isoformat()}
    return chosen if kind == "range" else {kind: chosen[kind]}


@st.composite
def text_filters(draw: st.DrawFn, values: st.SearchStrategy[str] = words) -> Json:
    ops = draw(
        st.sets(st.sampled_from([camel(op) for op in OPERATORS[FieldKind.TEXT]]), min_size=1)
    )
    return {op: draw(_text_operand(op, values)) for op in ops}


def _text_operand(op: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    if op == "hasValue":
        return st.booleans()
    return st.lists(values, max_size=3) if op in ("anyOf", "noneOf") else values


@st.composite
def number_filters(draw: st.DrawFn) -> Json:
    low, high = sorted([draw(amounts), draw(amounts)])
    shape = draw(
        st.sampled_from(
            [("equals",), ("min",), ("max",), ("min", "max"), ("greaterThan",), ("lessThan",)]
            + ([("greaterThan", "max"), ("min", "lessThan")] if low < high else [])
        )
    )
    values = {"equals": low, "min": low, "greaterThan": low, "max": high, "lessThan": high}
    return {op: str(values[op]) for op in shape}


@st.composite
def date_filters(draw: st.DrawFn) -> Json:
    out: Json = {}
    if draw(st.booleans()):
        out.update(draw(periods()))
    if not out or draw(st.booleans()):
        out["hasValue"] = draw(st.booleans())
    return out


@st.composite
def set_filters(draw: st.DrawFn, name: str) -> Json:
    values = st.sampled_from(ALLOWED[name]) if name in ALLOWED else words
    ops = draw(st.sets(st.sampled_from(["anyOf", "noneOf"]), min_size=1))
    return {op: draw(st.lists(values, max_size=3)) for op in ops}


@st.composite
def birthdays(draw: st.DrawFn) -> Json:
    if draw(st.booleans()):
        return {"month": draw(st.integers(1, 12))}
    start, end = draw(days), draw(days)
    return {
        "from": {"month": start.month, "day": start.day},
        "to": {"month": end.month, "day": end.day},
    }


@st.composite
def custom_fields(draw: st.DrawFn) -> list[Json]:
    out = []
    for key in draw(st.lists(st.sampled_from(sorted(CUSTOM_FIELDS)), min_size=1, max_size=3)):
        kind = CUSTOM_FIELDS[key]
        if kind == "phone":
            out.append({"key": key, "text": draw(text_filters(digits))})
            continue
        value = {"text": text_filters, "number": number_filters, "date": date_filters}[kind]
        out.append({"key": key, kind: draw(value())})
    return out


def _optional(draw: st.DrawFn, name: str, strategy: st.SearchStrategy[Any]) -> Json:
    return {name: draw(strategy)} if draw(st.booleans()) else {}


def field_value(draw: st.DrawFn, name: str, kind: FieldKind) -> Any:
    match kind:
        case FieldKind.TEXT:
            return draw(text_filters(digits if name == "phone" else words))
        case FieldKind.NUMBER:
            return draw(number_filters())
        case FieldKind.DATE:
            return draw(date_filters())
        case FieldKind.SET:
            return draw(set_filters(name))
        case FieldKind.FLAG:
            return draw(st.booleans())
        case FieldKind.PERIOD:
            return draw(periods())
        case FieldKind.BIRTHDAY:
            return draw(birthdays())
        case FieldKind.PURCHASE:
            return _optional(draw, "period", periods()) | _optional(
                draw, "products", st.lists(words, max_size=2)
            )
        case FieldKind.OFFER:
            return _optional(draw, "period", periods()) | _optional(
                draw, "offers", st.lists(words, max_size=2)
            )
        case FieldKind.CUSTOM_FIELD:
            return draw(custom_fields())
    raise AssertionError(kind)


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> Json:
    chosen = draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique_by=lambda f: f.name))
    out = {camel(f.name): field_value(draw, f.name, f.kind) for f in chosen}
    if depth < 2:
        nested = st.lists(blocks(depth + 1), min_size=1, max_size=3)
        for logical in draw(st.sets(st.sampled_from(["and", "or", "not"]), max_size=2)):
            out[logical] = draw(blocks(depth + 1)) if logical == "not" else draw(nested)
    return out


def _argument(value: Json, type_name: str, python_type: type) -> Any:
    graphql_type = schema._schema.type_map[type_name]
    assert isinstance(graphql_type, GraphQLInputType)
    coerced = coerce_input_value(value, graphql_type)
    return convert_argument(
        coerced, python_type, schema.schema_converter.scalar_registry, schema.config
    )


def condition_of(value: Json, profile: Profile) -> Condition:
    converted = _argument(value, "ProfileFilter", ProfileFilter)
    return Converter(profile, CUSTOM_FIELDS).condition(converted, "filter")


def group_of(value: Json, profile: Profile) -> Group:
    converted = _argument(value, "GroupInput", GroupInput)
    return Converter(profile, CUSTOM_FIELDS).group(converted, "definition")


@pytest.mark.parametrize("profile", [Profile.CUSTOMER, Profile.SUBSCRIBER])
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=blocks())
def test_a_filter_written_back_converts_to_the_same_condition(
    profile: Profile, value: Json
) -> None:
    condition = condition_of(value, profile)
    written = Encoder(profile, CUSTOM_FIELDS).block(condition)
    assert condition_of(written, profile) == condition, written


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(include=st.lists(blocks(1), max_size=3), exclude=st.lists(blocks(1), max_size=3))
def test_a_group_written_back_converts_to_the_same_group(
    include: list[Json], exclude: list[Json]
) -> None:
    group = group_of({"include": include, "exclude": exclude}, Profile.CUSTOMER)
    encoder = Encoder(Profile.CUSTOMER, CUSTOM_FIELDS)
    assert group_of(encoder.group(group), Profile.CUSTOMER) == group
    # As one filter, the group's conditions are the group's condition.
    assert condition_of(encoder.block(group.condition()), Profile.CUSTOMER) == group.condition()


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ({"email": {"notEquals": "a"}}, {"email": {"notEquals": "a"}}),
        ({"hasNoPhone": True}, {"phone": {"hasValue": False}}),
        ({"tier": {"noneOf": ["gold"]}}, {"tier": {"noneOf": ["gold"]}}),
        ({"region": {"anyOf": ["Hà Nội"]}}, {"region": {"anyOf": ["Hà Nội"]}}),
        (
            {"notPurchased": {"last": {"amount": 30, "unit": "DAYS"}}},
            {"notPurchased": {"last": {"amount": 30, "unit": "DAYS"}}},
        ),
        ({"registeredMember": False}, {"registeredMember": False}),
        ({"ordersCount": {"equals": "3"}}, {"ordersCount": {"equals": "3"}}),
        ({"email": {"equals": "x"}, "phone": {"contains": "9"}},) * 2,
        # Out of the order a block is read in: kept as an explicit list.
        ({"and": [{"phone": {"contains": "9"}}, {"email": {"equals": "x"}}]},) * 2,
    ],
    ids=str,
)
def test_negations_and_shortcuts_are_written_as_their_operator(given: Json, written: Json) -> None:
    """Readable output: negative operators, not `not` blocks (hasNoPhone is hasValue: false)."""
    condition = condition_of(given, Profile.CUSTOMER)
    encoded = Encoder(Profile.CUSTOMER, CUSTOM_FIELDS).block(condition)
    assert encoded == written
    assert condition_of(encoded, Profile.CUSTOMER) == condition
