"""Variables coerced by the fields they give, not by every field their input types declare.

graphql-core coerces a variable's input object by going through all the fields its type
declares: each one is looked up in the value and, when absent, checked for being required and
given its default. `ProfileFilter` declares some fifty fields of which a condition gives one or
two; an `or` of 5,000 conditions made 250,000 such visits, the greater part of reading a large
filter (S7), and a small filter's variables took 10 µs.

The short coercion here coerces only the fields given. An object of a type whose fields all
have a default (`TextFilter`'s are null) starts from a copy of those defaults, made once per
type in the declared order; one of a type whose fields have none (`ProfileFilter`) takes the
given fields in the declared order. So the result is the very dict graphql-core builds, keys in
the same order. Wherever its answer could differ or the value is refused (a required field, a
one-of type, a type where only some fields have a default, an unknown field, a null for a
non-null type, a value that is not a JSON list or object where one is expected, a scalar that
refuses its value) it gives the variable to graphql-core's own coercion, which then coerces it,
or refuses it with its own errors, as always.

Before coercing, graphql-core checks that the value does not nest deeper than its parser
allows (``MAX_NESTING_DEPTH``), again by going through every declared field of each object, and
refuses a deeper one as "nested too deeply" (a ``RecursionError`` it catches). The short
coercion counts the depth as that check does, one for each list item and each object field,
and raises the same error once past it; where it gives the value to graphql-core, graphql-core's
check runs first, as always. A value the short coercion takes whole is one whose every part it
visited within the depth, so the check it stands in for would have passed.

graphql-core has no hook for either: its variable coercion calls ``coerce_input_value`` and
``input_is_nested_too_deeply`` from the module namespace of ``graphql.execution.values``, and
only there (defaults and literals use their own functions), so those two names are rebound
(``use_short_coercion``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import graphql.execution.values as _values
from graphql.execution.values import input_is_nested_too_deeply
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.utilities.coerce_input_value import coerce_default_value, coerce_input_value

from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_required_input_field,
)

_SLOW = object()
"""What the short coercion returns when graphql-core's must decide."""

Plan = tuple[dict[str, Any], dict[str, tuple[int, str, GraphQLInputType]]] | None
"""An input type's defaults by out name, in declared order, and its fields by name (declared
position, out name, type); None where the short coercion does not apply: a one-of type, or
one where a field is required or only some fields have a default."""

_PLANS: dict[GraphQLInputObjectType, Plan] = {}

_TEXT_ITEMS = {str, type(None)}


def use_short_coercion() -> None:
    """Coerce operations' variables by the fields they give (see the module's text)."""
    _values.coerce_input_value = coerce_variable  # type: ignore[attr-defined]
    _values.input_is_nested_too_deeply = _checked_in_coercion


def coerce_variable(input_value: Any, type_: GraphQLInputType) -> Any:
    """What graphql-core's ``input_is_nested_too_deeply`` and then ``coerce_input_value`` do
    for ``input_value`` and ``type_``: a ``RecursionError`` for a value nested too deeply, else
    the coerced value (``Undefined`` where it is refused)."""
    coerced = _short(input_value, type_, 0)
    if coerced is not _SLOW:
        return coerced
    if input_is_nested_too_deeply(input_value, type_):
        raise RecursionError
    return coerce_input_value(input_value, type_)


def _checked_in_coercion(value: Any, type_: GraphQLInputType) -> bool:
    """graphql-core's depth check before coercion: ``coerce_variable`` makes it."""
    return False


def _plan(type_: GraphQLInputObjectType) -> Plan:
    if type_ in _PLANS:
        return _PLANS[type_]
    plan: Plan = None
    if not type_.is_one_of:
        defaults: dict[str, Any] = {}
        fields: dict[str, tuple[int, str, GraphQLInputType]] = {}
        for position, (name, field) in enumerate(type_.fields.items()):
            out = field.out_name or name
            fields[name] = (position, out, field.type)
            if is_required_input_field(field):
                break  # graphql-core checks its absence
            default = coerce_default_value(field)
            if default is not Undefined:
                defaults[out] = default
        else:
            if len(defaults) in (0, len(fields)):  # else some fields would be out of order
                plan = (defaults, fields)
    _PLANS[type_] = plan
    return plan


def _short(value: Any, type_: GraphQLInputType, depth: int) -> Any:
    if depth > MAX_NESTING_DEPTH:
        raise RecursionError
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            return _SLOW
        type_ = type_.of_type
    elif value is None:
        return None
    if isinstance(type_, GraphQLList):
        if type(value) is not list:
            return _SLOW
        item_type = type_.of_type
        required = isinstance(item_type, GraphQLNonNull)
        leaf = item_type.of_type if required else item_type
        if is_leaf_type(leaf):
            if value and depth >= MAX_NESTING_DEPTH:
                raise RecursionError  # where its first item would be counted
            return _leaves(value, leaf, required=required)
        items = []
        for item in value:
            coerced = _short(item, item_type, depth + 1)
            if coerced is _SLOW:
                return _SLOW
            items.append(coerced)
        return items
    if isinstance(type_, GraphQLInputObjectType):
        plan = _plan(type_)
        if plan is None or type(value) is not dict:
            return _SLOW
        defaults, fields = plan
        built = defaults.copy()  # every field, in declared order, or none
        names: Iterable[str] = value
        if not defaults and len(value) > 1:
            if not fields.keys() >= value.keys():
                return _SLOW
            names = sorted(value, key=lambda name: fields[name][0])
        for name in names:
            field = fields.get(name)
            if field is None:
                return _SLOW
            coerced = _short(value[name], field[2], depth + 1)
            if coerced is _SLOW:
                return _SLOW
            built[field[1]] = coerced
        return type_.out_type(built)
    try:
        return type_.coerce_input_value(value)  # type: ignore[union-attr]
    except Exception:  # graphql-core coerces it again, and writes the error
        return _SLOW


def _leaves(values: list[Any], type_: GraphQLLeafType, *, required: bool) -> Any:
    """A list of scalars or enum values, each coerced as ``_short`` coerces one, in one loop:
    a pasted list of a thousand phone numbers is a thousand items."""
    if required and None in values:
        return _SLOW
    if type_ is GraphQLString and set(map(type, values)) <= _TEXT_ITEMS:
        return list(values)  # what coercing each gives: strings and nulls are kept as they are
    coerce = type_.coerce_input_value
    try:
        return [None if item is None else coerce(item) for item in values]
    except Exception:
        return _SLOW
