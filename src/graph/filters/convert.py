"""GraphQL filter inputs to domain conditions; a bad input raises a DomainError naming its path."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from strawberry import UNSET

from domain import filters as f
from domain.customer import Channel, Gender
from domain.errors import DomainError, ErrorCode, shown
from domain.filter_catalogue import FieldKind, attrs_of
from domain.filters import Attr, Profile
from domain.numbers import held
from domain.period import Between, Last, Next, Period, ThisMonth
from domain.phone import CARRIERS, has_digits
from graph.filters.inputs import (
    BirthdayFilter,
    CustomFieldFilter,
    DateFilter,
    GroupInput,
    NumberFilter,
    PeriodInput,
    ProfileFilter,
    SetFilter,
    TextFilter,
)

_TEXT = attrs_of(FieldKind.TEXT)
_NUMBER = attrs_of(FieldKind.NUMBER)
_DATE = attrs_of(FieldKind.DATE)
_SET = attrs_of(FieldKind.SET)
_ALLOWED_VALUES: dict[Attr, frozenset[str]] = {
    Attr.GENDER: frozenset(g.value for g in Gender),
    Attr.CHANNEL: frozenset(c.value for c in Channel),
    Attr.CARRIER: frozenset(CARRIERS.values()),
}
_MAX_AMOUNT = 1200
CUSTOM_CONDITION = {"text": "text", "phone": "text", "number": "number", "date": "date"}
"""The condition of `CustomFieldFilter` each type of custom field takes."""


@cache  # a field's name, for the path of every condition that uses it
def camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


def _error(message: str, field: str, code: ErrorCode = ErrorCode.INVALID) -> DomainError:
    return DomainError(message, code=code, field=field)


class Converter:
    """Turns one filter input into a condition evaluated from ``profile``."""

    def __init__(self, profile: Profile, custom_fields: Mapping[str, str]) -> None:
        self.profile = profile
        self.custom_fields = custom_fields

    def group(self, group: GroupInput, field: str) -> f.Group:
        result = f.Group(
            include=tuple(
                self.block(b, f"{field}.include.{i}") for i, b in enumerate(group.include)
            ),
            exclude=tuple(
                self.block(b, f"{field}.exclude.{i}") for i, b in enumerate(group.exclude)
            ),
        )
        f.check_size(result.condition(), field=field)
        return result

    def condition(self, value: ProfileFilter, field: str) -> f.Condition:
        result = self.block(value, field)
        f.check_size(result, field=field)
        return result

    def place(self, leaf: f.Leaf) -> f.Condition:
        return f.place(leaf, self.profile)

    def block(self, value: ProfileFilter, field: str) -> f.Condition:
        if field.count(".") > 3 * f.MAX_DEPTH:
            raise _error(
                f"The definition nests deeper than {f.MAX_DEPTH} levels.",
                field,
                ErrorCode.TOO_COMPLEX,
            )
        return f.all_of(self.parts(value, field))

    def parts(self, value: ProfileFilter, field: str) -> list[f.Condition]:
        out: list[f.Condition] = []
        for name, given in given_fields(value):
            path = f"{field}.{camel(name)}"
            out.extend(self.field(name, given, path))
        return out

    def field(self, name: str, given: Any, path: str) -> list[f.Condition]:
        if name == "and_":
            return [f.And(tuple(self.block(v, f"{path}.{i}") for i, v in enumerate(given)))]
        if name == "or_":
            return [f.Or(tuple(self.block(v, f"{path}.{i}") for i, v in enumerate(given)))]
        if name == "not_":
            return [f.Not(self.block(given, path))]
        if name in _TEXT:
            matches = text(given, path)
            if _TEXT[name] is Attr.PHONE:
                _check_phone(given, path)
            return [self.place_match(_TEXT[name], m, neg) for m, neg in matches]
        if name in _NUMBER:
            return [self.place(f.Compare(_NUMBER[name], number(given, path)))]
        if name in _DATE:
            return [self.place_match(_DATE[name], m, neg) for m, neg in dates(given, path)]
        if name in _SET:
            return self.set(_SET[name], given, path)
        return self.special(name, given, path)

    def place_match(self, attr: Attr, match: f.Match, negated: bool) -> f.Condition:
        node = self.place(f.Compare(attr, match))
        return f.Not(node) if negated else node

    def set(self, attr: Attr, given: SetFilter, path: str) -> list[f.Condition]:
        out: list[f.Condition] = []
        for op, values in (("anyOf", given.any_of), ("noneOf", given.none_of)):
            if values is None:
                continue
            cleaned = self.values(attr, values, f"{path}.{op}")
            node = self.place(f.AnyOf(attr, cleaned))
            out.append(node if op == "anyOf" else f.Not(node))
        if not out:
            raise _error("Give `anyOf` or `noneOf`.", path)
        return out

    def values(self, attr: Attr, values: list[str], path: str) -> tuple[str, ...]:
        allowed = _ALLOWED_VALUES.get(attr)
        cleaned = tuple(v.strip().lower() if allowed else v.strip() for v in values)
        if allowed is not None:
            for i, v in enumerate(cleaned):
                if v not in allowed:
                    raise _error(
                        f"Unknown value {shown(v)}; use one of {', '.join(sorted(allowed))}.",
                        f"{path}.{i}",
                    )
        return cleaned

    def special(self, name: str, given: Any, path: str) -> list[f.Condition]:
        if name in ("has_no_email", "has_no_phone"):
            attr = Attr.EMAIL if name == "has_no_email" else Attr.PHONE
            return [self.place_match(attr, f.Present(), negated=bool(given))]
        if name == "registered_member":
            node = f.Linked(Profile.MEMBER, f.Everyone())
            if self.profile is Profile.SUBSCRIBER:
                node = f.Linked(Profile.CUSTOMER, node)
            return [node if given else f.Not(node)]
        if name == "region":
            out: list[f.Condition] = []
            for op, values in (("anyOf", given.any_of), ("noneOf", given.none_of)):
                if values is not None:
                    cleaned = self.values(Attr.PROVINCE, values, f"{path}.{op}")
                    either = f.Or(
                        (
                            self.place(f.AnyOf(Attr.PROVINCE, cleaned)),
                            self.place(f.AnyOf(Attr.DISTRICT, cleaned)),
                        )
                    )
                    out.append(either if op == "anyOf" else f.Not(either))
            return out
        if name == "purchased":
            skus = tuple(s.strip() for s in given.products or ())
            return [self.place(f.Purchased(optional_period(given.period, f"{path}.period"), skus))]
        if name == "not_purchased":
            return [f.Not(self.place(f.Purchased(period(given, path))))]
        if name == "loyalty_offer_used":
            codes = tuple(s.strip() for s in given.offers or ())
            return [self.place(f.OfferUsed(optional_period(given.period, f"{path}.period"), codes))]
        if name == "birthday":
            return [self.place(birthday(given, path))]
        if name == "custom_field":
            return [c for i, cf in enumerate(given) for c in self.custom(cf, f"{path}.{i}")]
        raise _error(f"Unknown filter field {shown(name)}.", path, ErrorCode.UNKNOWN_FIELD)

    def custom(self, given: CustomFieldFilter, path: str) -> list[f.Condition]:
        kind = self.custom_fields.get(given.key)
        if kind is None:
            known = ", ".join(sorted(self.custom_fields)) or "none defined"
            raise _error(
                f"Unknown custom field {shown(given.key)} (known: {known}).",
                f"{path}.key",
                ErrorCode.UNKNOWN_FIELD,
            )
        condition = CUSTOM_CONDITION[kind]
        chosen = [n for n in ("text", "number", "date") if getattr(given, n) is not None]
        if chosen != [condition]:
            raise _error(
                f"Custom field {shown(given.key)} is of type {kind}; give a `{condition}` condition "
                "only.",
                f"{path}.{chosen[0] if chosen else condition}",
                ErrorCode.OPERATOR_NOT_ALLOWED,
            )
        sub = f"{path}.{condition}"
        matches: list[tuple[f.Match, bool]]
        if condition == "text":
            matches = text(given.text, sub)  # type: ignore[arg-type]
            if kind == "phone":
                _check_phone(given.text, sub)  # type: ignore[arg-type]
        elif kind == "number":
            matches = [(number(given.number, sub), False)]  # type: ignore[arg-type]
        else:
            matches = dates(given.date, sub)  # type: ignore[arg-type]
        out: list[f.Condition] = []
        for match, negated in matches:
            node = self.place(f.CustomField(given.key, match))
            out.append(f.Not(node) if negated else node)
        return out


_TEXT_OPS = (
    ("equals", f.TextOp.EQUALS, False),
    ("not_equals", f.TextOp.EQUALS, True),
    ("contains", f.TextOp.CONTAINS, False),
    ("not_contains", f.TextOp.CONTAINS, True),
    ("starts_with", f.TextOp.STARTS_WITH, False),
)
"""A text filter's operators of one value: the match each makes, and whether negated."""
_TEXT_LISTS = (("any_of", False), ("none_of", True))
"""Its operators of a list of values (``OneOf``)."""


def text(given: TextFilter, path: str) -> list[tuple[f.Match, bool]]:
    out: list[tuple[f.Match, bool]] = []
    for name, op, negated in _TEXT_OPS:
        value = getattr(given, name)
        if value is not None:
            out.append((f.Text(op, _filled(value, path, name)), negated))
    for name, negated in _TEXT_LISTS:
        values = getattr(given, name)
        if values is not None:
            stripped = tuple(map(str.strip, values))
            if not all(stripped):
                raise _error(_BLANK, _at(path, name, stripped.index("")))
            out.append((f.OneOf(stripped), negated))
    if given.has_value is not None:
        out.append((f.Present(), not given.has_value))
    if not out:
        raise _error("Give at least one operator.", path)
    return out


def _at(path: str, name: str, index: int | None) -> str:
    """Where a text filter's value is: its operator, and its place in a list operator's."""
    return f"{path}.{camel(name)}" if index is None else f"{path}.{camel(name)}.{index}"


_BLANK = "Give a non-empty value (use `hasValue` for empty fields)."


def _filled(value: str, path: str, name: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise _error(_BLANK, _at(path, name, None))
    return stripped


def _check_phone(given: TextFilter, path: str) -> None:
    """Phones are compared by their digits: a value without any would match every phone (or,
    as an empty number, the customers without one), so it is refused."""
    for name, _, _ in _TEXT_OPS:
        value = getattr(given, name)
        if value is not None and not has_digits(value):
            raise _no_digits(value, _at(path, name, None))
    for name, _ in _TEXT_LISTS:
        values = getattr(given, name)
        if values is not None and not all(map(has_digits, values)):
            i = next(i for i, v in enumerate(values) if not has_digits(v))
            raise _no_digits(values[i], _at(path, name, i))


def _no_digits(value: str, path: str) -> DomainError:
    return _error(
        f"{shown(value)} has no digits; give a phone number or part of one, "
        "e.g. 0912 345 678 or +84 912.",
        path,
    )


def number(given: NumberFilter, path: str) -> f.Range:
    for name in ("equals", "min", "max", "greater_than", "less_than"):
        value = getattr(given, name)
        if value is not None:
            held(value, f"{path}.{camel(name)}")
    if given.equals is not None:
        if any(v is not None for v in (given.min, given.max, given.greater_than, given.less_than)):
            raise _error("`equals` cannot be combined with a range.", f"{path}.equals")
        return f.Range(given.equals, given.equals)
    lo_x, hi_x = given.greater_than is not None, given.less_than is not None
    if given.min is not None and lo_x:
        raise _error("Give `min` or `greaterThan`, not both.", f"{path}.min")
    if given.max is not None and hi_x:
        raise _error("Give `max` or `lessThan`, not both.", f"{path}.max")
    lo = given.greater_than if lo_x else given.min
    hi = given.less_than if hi_x else given.max
    if lo is None and hi is None:
        raise _error("Give `equals`, `min`, `max`, `greaterThan` or `lessThan`.", path)
    if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_x or hi_x))):
        raise _error(
            f"The range is empty: {lo} is above {hi}; swap the bounds.",
            f"{path}.{'greaterThan' if lo_x else 'min'}",
            ErrorCode.INVALID_RANGE,
        )
    return f.Range(_dec(lo), _dec(hi), lo_x, hi_x)


def _dec(value: Decimal | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def dates(given: DateFilter, path: str) -> list[tuple[f.Match, bool]]:
    out: list[tuple[f.Match, bool]] = []
    if any(getattr(given, n) is not None for n in ("from_", "to", "last", "next", "this_month")):
        out.append((f.Within(period(given, path)), False))
    if given.has_value is not None:
        out.append((f.Present(), not given.has_value))
    if not out:
        raise _error(
            "Give a period (`from`/`to`, `last`, `next`, `thisMonth`) or `hasValue`.", path
        )
    return out


def _day(value: str | None, path: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _error(f"{shown(value)} is not a date; write YYYY-MM-DD.", path) from None


def optional_period(given: PeriodInput | None, path: str) -> Period | None:
    return None if given is None else period(given, path)


def period(given: PeriodInput, path: str) -> Period:
    kinds = [
        n
        for n, v in (("range", given.from_ or given.to), ("last", given.last), ("next", given.next))
        if v is not None
    ] + (["thisMonth"] if given.this_month else [])
    if len(kinds) != 1:
        raise _error("Give exactly one of `from`/`to`, `last`, `next` or `thisMonth: true`.", path)
    if given.last is not None or given.next is not None:
        rel = given.last or given.next
        name = "last" if given.last is not None else "next"
        assert rel is not None
        if not 1 <= rel.amount <= _MAX_AMOUNT:
            raise _error(f"`amount` must be 1 to {_MAX_AMOUNT}.", f"{path}.{name}.amount")
        return (Last if name == "last" else Next)(rel.amount, rel.unit)
    if given.this_month:
        return ThisMonth()
    start, end = _day(given.from_, f"{path}.from"), _day(given.to, f"{path}.to")
    if start is not None and end is not None and start > end:
        raise _error(
            f"`from` ({start}) is after `to` ({end}); swap them.",
            f"{path}.from",
            ErrorCode.INVALID_RANGE,
        )
    return Between(start, end)


def _month_day(month: int, day: int, path: str) -> tuple[int, int]:
    try:
        date(2000, month, day)
    except ValueError:
        raise _error(f"{month:02d}-{day:02d} is not a day of the year.", path) from None
    return month, day


def birthday(given: BirthdayFilter, path: str) -> f.Leaf:
    if given.month is not None:
        if given.from_ is not None or given.to is not None:
            raise _error("Give `month` or `from`/`to`, not both.", f"{path}.month")
        if not 1 <= given.month <= 12:
            raise _error("`month` must be 1 to 12.", f"{path}.month")
        return f.BirthdayMonth(given.month)
    if given.from_ is None or given.to is None:
        raise _error("Give `month`, or both `from` and `to`.", path)
    return f.BirthdayBetween(
        _month_day(given.from_.month, given.from_.day, f"{path}.from"),
        _month_day(given.to.month, given.to.day, f"{path}.to"),
    )


def given_fields(value: ProfileFilter) -> list[tuple[str, Any]]:
    """The fields a filter block sets, by Python name. An omitted field is UNSET: the schema
    gives the fields of `ProfileFilter` no default, so GraphQL does not fill in fifty nulls
    for strawberry to convert one by one on every request. An explicit null is None."""
    return [(n, v) for n, v in vars(value).items() if v is not None and v is not UNSET]


def uses_custom_fields(value: ProfileFilter | GroupInput | None) -> bool:
    if not value:  # None, or an omitted nested block (UNSET)
        return False
    if isinstance(value, GroupInput):
        return any(uses_custom_fields(b) for b in [*value.include, *value.exclude])
    if value.custom_field:
        return True
    nested = [*(value.and_ or ()), *(value.or_ or ()), value.not_]
    return any(uses_custom_fields(n) for n in nested)
