"""The filter catalogue (item 7 of the filters): what a builder UI may offer for each list."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.filter_catalogue import (
    FIELDS,
    OPERATOR_LABELS,
    OPERATORS,
    FieldKind,
    FilterField,
    Suggest,
    linked_from,
    suggestion_source,
)
from domain.filters import Profile
from domain.segment import ListKind
from graph.context import Info
from graph.filters.convert import CUSTOM_CONDITION, camel
from graph.filters.inputs import (
    BirthdayFilter,
    CustomFieldFilter,
    DateFilter,
    NumberFilter,
    OfferFilter,
    PeriodInput,
    PurchaseFilter,
    SetFilter,
    TextFilter,
)
from graph.filters.lists import custom_fields as shop_custom_fields
from graph.segments.types import LIST_PROFILES, ListKindEnum
from infra.repositories.filter_catalogue import CatalogueRepository

FilterKind = strawberry.enum(
    FieldKind, name="FilterKind", description="Kind of a filter field; it decides the operators."
)
ProfileKind = strawberry.enum(
    Profile, name="ProfileKind", description="A kind of profile: customer, member or subscriber."
)

INPUT_TYPES: dict[FieldKind, type | None] = {
    FieldKind.TEXT: TextFilter,
    FieldKind.NUMBER: NumberFilter,
    FieldKind.DATE: DateFilter,
    FieldKind.SET: SetFilter,
    FieldKind.FLAG: None,
    FieldKind.PERIOD: PeriodInput,
    FieldKind.BIRTHDAY: BirthdayFilter,
    FieldKind.PURCHASE: PurchaseFilter,
    FieldKind.OFFER: OfferFilter,
    FieldKind.CUSTOM_FIELD: CustomFieldFilter,
}
"""The input type of each kind's condition (a flag is a plain Boolean)."""


def input_type_name(kind: FieldKind) -> str:
    given = INPUT_TYPES[kind]
    if given is None:
        return "Boolean"
    definition: Any = given.__strawberry_definition__  # type: ignore[attr-defined]
    return str(definition.name)


@strawberry.type(description="A value a filter field may take, with its label.")
class FilterSuggestion:
    value: str = strawberry.field(description="The value to put in the filter.")
    label: str = strawberry.field(description="How to show it.")


@strawberry.type(description="An operator of a filter condition, with its labels.")
class FilterOperator:
    name: str = strawberry.field(description="The field of the condition's input, e.g. `anyOf`.")
    label_vi: str = strawberry.field(description="Vietnamese label, e.g. `Có chứa`.")
    label_en: str = strawberry.field(description="English label, e.g. `Contains`.")


def operators_of(kind: FieldKind) -> list[FilterOperator]:
    return [
        FilterOperator(name=camel(op), label_vi=vi, label_en=en)
        for op in OPERATORS[kind]
        for vi, en in [OPERATOR_LABELS[op]]
    ]


@strawberry.type(description="One field of `ProfileFilter` as a builder UI shows it.")
class FilterAttribute:
    field: str = strawberry.field(description="Name of the field in `ProfileFilter`.")
    kind: FilterKind = strawberry.field(description="Kind of condition.")  # type: ignore[valid-type]
    input_type: str = strawberry.field(description="GraphQL type of the field's condition.")
    operators: list[str] = strawberry.field(
        description="Fields of the condition's input (its operators); empty for a true/false flag."
    )
    operator_labels: list[FilterOperator] = strawberry.field(
        description="The same operators, in the same order, with their labels."
    )
    label_vi: str = strawberry.field(description="Vietnamese label.")
    label_en: str = strawberry.field(description="English label.")
    profiles: list[ProfileKind] = strawberry.field(  # type: ignore[valid-type]
        description="Profiles the value lives on."
    )
    linked: bool = strawberry.field(
        description="This list reaches the value through linked profiles (same phone / e-mail)."
    )
    suggestion_source: strawberry.Private[Suggest | None]

    @strawberry.field(
        description="Values to offer for enumerations (tags, tiers, channels, provinces, "
        "carriers, custom-field keys, ...), read from the shop's data where they live there; "
        "null when the field takes free values."
    )
    async def suggestions(self, info: Info) -> list[FilterSuggestion] | None:
        if self.suggestion_source is None:
            return None
        source = self.suggestion_source
        repo = CatalogueRepository(info.context.session, info.context.shop_id)
        # Read once per source for the request, however many catalogues ask.
        pairs = await info.context.once(("suggestions", source), lambda: repo.suggestions(source))
        return [FilterSuggestion(value=v, label=label) for v, label in pairs]

    @classmethod
    def from_domain(cls, field: FilterField, profile: Profile) -> FilterAttribute:
        labelled = operators_of(field.kind)
        return cls(
            field=camel(field.name),
            kind=field.kind,
            input_type=input_type_name(field.kind),
            operators=[o.name for o in labelled],
            operator_labels=labelled,
            label_vi=field.label_vi,
            label_en=field.label_en,
            profiles=sorted(field.profiles),
            linked=linked_from(field, profile),
            suggestion_source=suggestion_source(field, profile),
        )


@strawberry.type(description="A custom field of the shop and the condition it takes.")
class CustomFieldInfo:
    key: str = strawberry.field(description="Key to give in `customField.key`.")
    label: str = strawberry.field(description="Label the shop gave it.")
    type: str = strawberry.field(description="text, number, date or phone.")
    condition: str = strawberry.field(
        description="Field of `CustomFieldFilter` to use: `text`, `number` or `date`."
    )
    operators: list[str] = strawberry.field(description="Operators of that condition.")
    operator_labels: list[FilterOperator] = strawberry.field(
        description="The same operators, in the same order, with their labels."
    )


@strawberry.type(description="What the filter of one list can express.")
class FilterCatalogue:
    kind: ListKindEnum = strawberry.field(name="list", description="The list.")  # type: ignore[valid-type]
    attributes: list[FilterAttribute] = strawberry.field(
        description="Every field of `ProfileFilter`, in the documented order."
    )

    @strawberry.field(description="The shop's custom fields, for `customField` conditions.")
    async def custom_fields(self, info: Info) -> list[CustomFieldInfo]:
        kinds = {"text": FieldKind.TEXT, "number": FieldKind.NUMBER, "date": FieldKind.DATE}
        return [
            CustomFieldInfo(
                key=key,
                label=label,
                type=kind,
                condition=condition,
                operators=[o.name for o in labelled],
                operator_labels=labelled,
            )
            for key, label, kind in await shop_custom_fields(info)
            for condition in [CUSTOM_CONDITION[kind]]
            for labelled in [operators_of(kinds[condition])]
        ]


@strawberry.type
class FilterCatalogueQuery:
    @strawberry.field(
        description="Every filterable attribute of a list: kind, operators, labels, suggestions."
    )
    def filter_catalogue(self, list: ListKindEnum) -> FilterCatalogue:  # type: ignore[valid-type]
        kind = ListKind(list)
        profile = LIST_PROFILES[kind]
        return FilterCatalogue(
            kind=kind, attributes=[FilterAttribute.from_domain(f, profile) for f in FIELDS]
        )
