"""Domain conditions back to filter inputs: the inverse of ``convert``.

A stored definition is kept as its condition tree; a client that shows, edits or re-applies it
needs it in the shape it was written in (`GroupInput`, `ProfileFilter`). ``Encoder`` writes
that shape, and converting what it writes gives the very same condition again (tests check
this for every field and operator):

- the fields of one block are written in the order the converter reads them, so a block is
  only merged when its conditions come in that order and no two set the same operator;
  otherwise they are written as an explicit ``and`` list, which converts to the same tree;
- a negated condition takes the negative operator the converter makes it from (``notEquals``,
  ``noneOf``, ``hasValue: false``, ``notPurchased``, ``registeredMember: false``), and any
  other negation is a ``not`` block;
- attributes of linked profiles are written as plain fields: converting places them again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain import filters as f
from domain.filter_catalogue import FIELDS, FieldKind
from domain.filters import Attr, Profile
from domain.period import Between, Last, Next, Period, ThisMonth
from graph.filters.convert import CUSTOM_CONDITION, camel
from graph.filters.inputs import ProfileFilter, TextFilter

Json = dict[str, Any]

_NAME = {(field.kind, field.attr): field.name for field in FIELDS if field.attr is not None}
_POSITION = {field.name: i for i, field in enumerate(dataclasses.fields(ProfileFilter))}
"""Where the converter reads each field of a block: the input type's declaration order."""
_TEXT_RANK = {camel(field.name): i for i, field in enumerate(dataclasses.fields(TextFilter))}
"""Where the converter reads each operator of a text filter: its declaration order too."""
_HAS_VALUE = {FieldKind.TEXT: _TEXT_RANK["hasValue"], FieldKind.DATE: 1}
_TEXT_OPS = {f.TextOp.EQUALS: "equals", f.TextOp.CONTAINS: "contains"}
_REGION = (Attr.PROVINCE, Attr.DISTRICT)


@dataclasses.dataclass(frozen=True, slots=True)
class _Part:
    """One condition of a block: the field it is written under, where the converter reads it
    among that field's operators, and what it sets there."""

    name: str
    rank: int
    value: Any

    @property
    def position(self) -> tuple[int, int]:
        return _POSITION[self.name], self.rank


class CannotEncode(ValueError):
    """A condition no filter input converts to (never one made from an input)."""


class Encoder:
    """Writes conditions evaluated from ``profile`` as the inputs they were converted from.

    ``custom_fields`` gives each custom field's type, which decides whether a custom-field
    condition is written under ``text``, ``number`` or ``date``.
    """

    def __init__(self, profile: Profile, custom_fields: Mapping[str, str]) -> None:
        self.profile = profile
        self.custom_fields = custom_fields

    def group(self, group: f.Group) -> Json:
        return {
            "include": [self.block(c) for c in group.include],
            "exclude": [self.block(c) for c in group.exclude],
        }

    def block(self, condition: f.Condition) -> Json:
        match condition:
            case f.Everyone():
                return {}
            case f.And(items=items):
                merged = self._merged(items)
                if merged is not None:
                    return merged
                return {"and": [self.block(i) for i in items]}
        return {camel(part.name): part.value for part in [self._part(condition)]}

    def _merged(self, items: tuple[f.Condition, ...]) -> Json | None:
        """One block holding ``items``, or None when converting it would not give them back in
        this order. Only an explicit ``and`` keeps a single item (a block of one condition is
        that condition) or an empty block among the items."""
        if len(items) < 2 or any(isinstance(i, f.Everyone) for i in items):
            return None
        out: dict[str, Any] = {}
        last: tuple[int, int] | None = None
        for part in map(self._part, items):
            repeated_custom = part.name == "custom_field" and last == part.position
            if last is not None and part.position <= last and not repeated_custom:
                return None
            last = part.position
            held = out.get(part.name)
            if held is None:
                out[part.name] = part.value
            elif isinstance(held, list) and part.name == "custom_field":
                out[part.name] = [*held, *part.value]
            elif isinstance(held, dict) and not held.keys() & part.value.keys():
                out[part.name] = {**held, **part.value}
            else:
                return None
        return {camel(name): value for name, value in out.items()}

    def _part(self, condition: f.Condition) -> _Part:
        match condition:
            case f.And(items=items):
                return _Part("and_", 0, [self.block(i) for i in items])
            case f.Or(items=items):
                region = self._region(condition)
                if region is not None:
                    return _Part("region", 0, {"anyOf": list(region)})
                return _Part("or_", 0, [self.block(i) for i in items])
            case f.Not(item=item):
                return self._negated(item) or _Part("not_", 0, self.block(item))
        leaf = self._leaf_of(condition)
        match leaf:
            case f.Compare(attr=attr, match=f.Text(op=op, value=value)):
                text_op = _TEXT_OPS.get(op, "startsWith")
                return _Part(
                    self._name(FieldKind.TEXT, attr), _TEXT_RANK[text_op], {text_op: value}
                )
            case f.Compare(attr=attr, match=f.OneOf(values=values)):
                return _listed(self._name(FieldKind.TEXT, attr), values, negated=False)
            case f.Compare(attr=attr, match=f.Present()):
                kind = self._present_kind(attr)
                return _Part(self._name(kind, attr), _HAS_VALUE[kind], {"hasValue": True})
            case f.Compare(attr=attr, match=f.Range() as r):
                return _Part(self._name(FieldKind.NUMBER, attr), 0, _range(r))
            case f.Compare(attr=attr, match=f.Within(period=period)):
                return _Part(self._name(FieldKind.DATE, attr), 0, _period(period))
            case f.AnyOf(attr=attr, values=values):
                return _Part(self._name(FieldKind.SET, attr), 0, {"anyOf": list(values)})
            case f.Purchased(period=period, skus=skus):
                return _Part("purchased", 0, _with_period(period, "products", skus))
            case f.OfferUsed(period=period, offer_codes=codes):
                return _Part("loyalty_offer_used", 0, _with_period(period, "offers", codes))
            case f.BirthdayMonth(month=month):
                return _Part("birthday", 0, {"month": month})
            case f.BirthdayBetween(start=start, end=end):
                return _Part("birthday", 0, {"from": _month_day(start), "to": _month_day(end)})
            case f.CustomField(key=key, match=match):
                return _Part("custom_field", 0, [self._custom(key, match, negated=False)])
            case f.Linked(profile=Profile.MEMBER, condition=f.Everyone()):
                return _Part("registered_member", 0, True)
        raise CannotEncode(f"no filter input converts to {condition!r}")

    def _negated(self, item: f.Condition) -> _Part | None:
        """``Not(item)`` as the negative operator that converts to it, if there is one."""
        region = self._region(item) if isinstance(item, f.Or) else None
        if region is not None:
            return _Part("region", 1, {"noneOf": list(region)})
        if isinstance(item, f.And | f.Or | f.Not | f.Everyone):
            return None
        match self._leaf_of(item):
            case f.Compare(attr=attr, match=f.Text(op=op, value=value)) if op in _TEXT_OPS:
                text_op = "not" + _TEXT_OPS[op].title()
                return _Part(
                    self._name(FieldKind.TEXT, attr), _TEXT_RANK[text_op], {text_op: value}
                )
            case f.Compare(attr=attr, match=f.OneOf(values=values)):
                return _listed(self._name(FieldKind.TEXT, attr), values, negated=True)
            case f.Compare(attr=attr, match=f.Present()):
                kind = self._present_kind(attr)
                return _Part(self._name(kind, attr), _HAS_VALUE[kind], {"hasValue": False})
            case f.AnyOf(attr=attr, values=values):
                return _Part(self._name(FieldKind.SET, attr), 1, {"noneOf": list(values)})
            case f.Purchased(period=period, skus=()) if period is not None:
                return _Part("not_purchased", 0, _period(period))
            case f.Linked(profile=Profile.MEMBER, condition=f.Everyone()):
                return _Part("registered_member", 0, False)
            case f.CustomField(key=key, match=(f.Present() | f.OneOf()) as match):
                return _Part("custom_field", 0, [self._custom(key, match, negated=True)])
            case f.CustomField(key=key, match=f.Text(op=op) as match) if op in _TEXT_OPS:
                return _Part("custom_field", 0, [self._custom(key, match, negated=True)])
        return None

    def _leaf_of(self, condition: f.Condition) -> f.Condition:
        """The leaf a placed condition holds: ``Linked`` wrappers are where converting puts an
        attribute of a linked profile, so they are dropped when they are exactly that."""
        leaf = condition
        while isinstance(leaf, f.Linked) and not isinstance(leaf.condition, f.Everyone):
            leaf = leaf.condition
        if isinstance(leaf, f.Linked):  # registered member: Linked(MEMBER, Everyone), placed
            member = f.Linked(Profile.MEMBER, f.Everyone())
            via_customer = f.Linked(Profile.CUSTOMER, member)
            expected = via_customer if self.profile is Profile.SUBSCRIBER else member
            if condition != expected:
                raise CannotEncode(f"no filter input converts to {condition!r}")
            return member
        if isinstance(leaf, f.And | f.Or | f.Not) or f.place(leaf, self.profile) != condition:
            raise CannotEncode(f"no filter input converts to {condition!r}")
        return leaf

    def _region(self, condition: f.Or) -> tuple[str, ...] | None:
        """The values of a region condition: province or district one of them."""
        if len(condition.items) != 2 or any(
            isinstance(i, f.And | f.Or | f.Not) for i in condition.items
        ):
            return None
        leaves = [self._leaf_of(i) for i in condition.items]
        match leaves:
            case [f.AnyOf(attr=a, values=v), f.AnyOf(attr=b, values=w)] if (a, b) == _REGION:
                return v if v == w else None
        return None

    def _name(self, kind: FieldKind, attr: Attr) -> str:
        name = _NAME.get((kind, attr))
        if name is None:
            raise CannotEncode(f"no {kind} field for {attr}")
        return name

    def _present_kind(self, attr: Attr) -> FieldKind:
        return FieldKind.TEXT if (FieldKind.TEXT, attr) in _NAME else FieldKind.DATE

    def _custom(self, key: str, match: f.Match, *, negated: bool) -> Json:
        kind = CUSTOM_CONDITION[self.custom_fields.get(key, "text")]
        value: Json
        match match:
            case f.Text(op=op, value=text):
                name = _TEXT_OPS.get(op, "startsWith")
                value = {("not" + name.title()) if negated else name: text}
            case f.OneOf(values=values):
                value = {"noneOf" if negated else "anyOf": list(values)}
            case f.Present():
                value = {"hasValue": not negated}
            case f.Range() as r:
                value = _range(r)
            case f.Within(period=period):
                value = _period(period)
        return {"key": key, kind: value}


def _listed(name: str, values: tuple[str, ...], *, negated: bool) -> _Part:
    """A text field's ``anyOf``, or its ``noneOf`` where the list is negated."""
    op = "noneOf" if negated else "anyOf"
    return _Part(name, _TEXT_RANK[op], {op: list(values)})


def _decimal(value: Decimal) -> str:
    return str(value)


def _range(r: f.Range) -> Json:
    if r.minimum is not None and r.minimum == r.maximum and not r.min_exclusive:
        return {"equals": _decimal(r.minimum)}
    out: Json = {}
    if r.minimum is not None:
        out["greaterThan" if r.min_exclusive else "min"] = _decimal(r.minimum)
    if r.maximum is not None:
        out["lessThan" if r.max_exclusive else "max"] = _decimal(r.maximum)
    return out


def _period(period: Period) -> Json:
    match period:
        case Between(start=start, end=end):
            out: Json = {}
            if start is not None:
                out["from"] = start.isoformat()
            if end is not None:
                out["to"] = end.isoformat()
            return out
        case Last(amount=amount, unit=unit):
            return {"last": {"amount": amount, "unit": unit.name}}
        case Next(amount=amount, unit=unit):
            return {"next": {"amount": amount, "unit": unit.name}}
        case ThisMonth():
            return {"thisMonth": True}
    raise CannotEncode(f"unknown period {period!r}")


def _with_period(period: Period | None, name: str, values: tuple[str, ...]) -> Json:
    out: Json = {}
    if period is not None:
        out["period"] = _period(period)
    if values:
        out[name] = list(values)
    return out


def _month_day(day: tuple[int, int]) -> Json:
    return {"month": day[0], "day": day[1]}
