"""Input objects converted field by field as given, not by walking every declared field.

Strawberry builds an input object by going through all the fields its type declares and
looking each one's GraphQL name up in the value, renaming it on the way. `ProfileFilter` declares
some fifty fields of which a filter gives two or three, so every filtered request renamed and
looked up fifty names, nested filters again. Input types given to ``by_given_fields`` use
strawberry's `from_input` hook instead: the fields in the value are converted and the rest keep
their defaults, as before.

Each field's conversion is planned once, from its type: scalars and enums are taken as
graphql-core coerced them, lists item by item, inputs of these types by their own builder, and
anything else through strawberry's own conversion. Strawberry's ``convert_argument`` runs an
import statement on every call; a filter of 5,000 conditions made some 25,000 calls, and
converting it took 365 ms, most of it in that line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    get_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Convert = Callable[[Any, InputContext, str | int], Any]
"""Converts a field's (or a list item's) value; the key is its place in the enclosing value."""

_BUILDERS: dict[type, Any] = {}


def by_given_fields(*types: type) -> None:
    for type_ in types:
        definition = get_object_definition(type_, strict=True)
        definition.from_input = _BUILDERS[type_] = _builder(definition)


def _builder(definition: Any) -> Any:
    fields: dict[str, tuple[str, Convert]] = {}
    unset = {
        f.python_name: None
        for f in definition.fields
        if f.default_value is MISSING and f.default_factory is MISSING
    }
    null_by_default = {
        f.python_name for f in definition.fields if f.python_name in unset or f.default is None
    }
    """Fields that are null unless given otherwise: a null given for one needs no conversion.
    graphql-core gives every field declared with the default null, as null when absent."""
    origin = definition.origin
    on_class = not hasattr(origin, "__post_init__") and all(
        f.default_factory is MISSING and origin.__dict__.get(f.python_name, MISSING) is f.default
        for f in definition.fields
    )
    """Whether every field's default is the class's own attribute (dataclasses put a plain
    default there): then an instance holding only the fields given reads as one made by
    ``__init__``, which sets all fifty of `ProfileFilter`'s, and ``vars`` of it lists just
    what was given (``graph.filters.convert.given_fields``)."""

    def build(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not fields:
            names = context.config.name_converter
            for f in definition.fields:
                fields[names.from_field(f)] = (
                    f.python_name,
                    _plan(f.resolve_type(type_definition=definition), context),
                )
        kwargs = dict(unset)
        for name, given in value.items():
            python_name, convert = fields[name]
            if given is None and python_name in null_by_default:
                continue
            kwargs[python_name] = convert(given, context, name)
        if on_class and cls is origin:
            built = object.__new__(cls)
            built.__dict__.update(kwargs)
            return built
        return cls(**kwargs)

    return build


def _same(value: Any, context: InputContext, key: str | int) -> Any:
    return value


def _plan(type_: Any, context: InputContext) -> Convert:
    """How a value of ``type_`` is converted (as strawberry's ``convert_argument`` would)."""
    if isinstance(type_, LazyType):
        return _plan(type_.resolve_type(), context)
    if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
        inner = _plan(type_.of_type, context)
        if inner is _same:
            return _same

        def optional(value: Any, context: InputContext, key: str | int) -> Any:
            return value if value is None or value is UNSET else inner(value, context, key)

        return optional
    if isinstance(type_, StrawberryList):
        item = _plan(type_.of_type, context)
        if item is _same:
            return lambda value, context, key: list(value)

        def items(value: Any, context: InputContext, key: str | int) -> Any:
            inside = _inside(context, key)
            return [item(v, inside, i) for i, v in enumerate(value)]

        return items
    if type_ is not GlobalID and (
        is_scalar(type_, context.scalar_registry)
        or isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
    ):
        return _same
    builder = _BUILDERS.get(type_) if isinstance(type_, type) else None
    if builder is not None:
        cls = type_

        def built(value: Any, context: InputContext, key: str | int) -> Any:
            return builder(cls, value, _inside(context, key))

        return built
    return lambda value, context, key: context.convert(value, type_, key)


def _inside(context: InputContext, key: str | int) -> InputContext:
    """The context of a value at ``key`` inside the one of ``context``."""
    return InputContext(
        info=context.info,
        config=context.config,
        scalar_registry=context.scalar_registry,
        path=(*context.path, key),
    )
