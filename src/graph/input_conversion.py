"""Input objects converted field by field as given, not by walking every declared field.

Strawberry builds an input object by going through all the fields its type declares and
looking each one's GraphQL name up in the value, renaming it on the way. `ProfileFilter` declares
some fifty fields of which a filter gives two or three, so every filtered request renamed and
looked up fifty names, nested filters again. Input types given to ``by_given_fields`` use
strawberry's `from_input` hook instead: the fields in the value are converted, through
strawberry's own conversion, and the rest keep their defaults, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition


def by_given_fields(*types: type) -> None:
    for type_ in types:
        definition = get_object_definition(type_, strict=True)
        definition.from_input = _builder(definition)


def _builder(definition: Any) -> Any:
    fields: dict[str, tuple[str, Any]] = {}
    unset = {
        f.python_name: None
        for f in definition.fields
        if f.default_value is MISSING and f.default_factory is MISSING
    }

    def build(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not fields:
            names = context.config.name_converter
            for f in definition.fields:
                fields[names.from_field(f)] = (
                    f.python_name,
                    f.resolve_type(type_definition=definition),
                )
        kwargs = dict(unset)
        for name, given in value.items():
            python_name, field_type = fields[name]
            kwargs[python_name] = context.convert(given, field_type, name)
        return cls(**kwargs)

    return build
