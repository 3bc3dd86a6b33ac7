"""Conditions and groups to JSON and back; what segments and saved filters store.

The stored form carries a version so the model can evolve: ``{"version": 1, "include": [...],
"exclude": [...]}``; each condition is an object with a ``node`` discriminator.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import DomainError
from domain.filters import (
    And,
    AnyOf,
    Attr,
    BirthdayBetween,
    BirthdayMonth,
    Compare,
    Condition,
    CustomField,
    Everyone,
    Group,
    Linked,
    Match,
    Not,
    OfferUsed,
    OneOf,
    Or,
    Present,
    Profile,
    Purchased,
    Range,
    Text,
    TextOp,
    Within,
)
from domain.period import Between, Last, Next, Period, PeriodUnit, ThisMonth

VERSION = 1

Json = dict[str, Any]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _num(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def period_to_json(period: Period | None) -> Json | None:
    match period:
        case None:
            return None
        case Between(start=start, end=end):
            return {"kind": "between", "start": _day(start), "end": _day(end)}
        case Last(amount=amount, unit=unit):
            return {"kind": "last", "amount": amount, "unit": unit.value}
        case Next(amount=amount, unit=unit):
            return {"kind": "next", "amount": amount, "unit": unit.value}
        case ThisMonth():
            return {"kind": "this_month"}
    raise TypeError(f"unknown period {period!r}")


def period_from_json(data: Json | None) -> Period | None:
    if data is None:
        return None
    kind = data["kind"]
    if kind == "between":
        start, end = data.get("start"), data.get("end")
        return Between(
            date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None
        )
    if kind in ("last", "next"):
        cls = Last if kind == "last" else Next
        return cls(int(data["amount"]), PeriodUnit(data["unit"]))
    if kind == "this_month":
        return ThisMonth()
    raise ValueError(f"unknown period kind {kind!r}")


def match_to_json(match: Match) -> Json:
    match match:
        case Text(op=op, value=value):
            return {"kind": "text", "op": op.value, "value": value}
        case OneOf(values=values):
            return {"kind": "one_of", "values": list(values)}
        case Range():
            return {
                "kind": "range",
                "min": _num(match.minimum),
                "max": _num(match.maximum),
                "min_exclusive": match.min_exclusive,
                "max_exclusive": match.max_exclusive,
            }
        case Within(period=period):
            return {"kind": "within", "period": period_to_json(period)}
        case Present():
            return {"kind": "present"}
    raise TypeError(f"unknown match {match!r}")


def match_from_json(data: Json) -> Match:
    kind = data["kind"]
    if kind == "text":
        return Text(TextOp(data["op"]), str(data["value"]))
    if kind == "one_of":
        return OneOf(tuple(str(v) for v in data["values"]))
    if kind == "range":
        lo, hi = data.get("min"), data.get("max")
        return Range(
            Decimal(lo) if lo is not None else None,
            Decimal(hi) if hi is not None else None,
            bool(data.get("min_exclusive")),
            bool(data.get("max_exclusive")),
        )
    if kind == "within":
        period = period_from_json(data["period"])
        if period is None:
            raise ValueError("a `within` match needs a period")
        return Within(period)
    if kind == "present":
        return Present()
    raise ValueError(f"unknown match kind {kind!r}")


def to_json(node: Condition) -> Json:
    match node:
        case Everyone():
            return {"node": "everyone"}
        case Compare(attr=attr, match=m):
            return {"node": "compare", "attr": attr.value, "match": match_to_json(m)}
        case AnyOf(attr=attr, values=values):
            return {"node": "any_of", "attr": attr.value, "values": list(values)}
        case BirthdayMonth(month=month):
            return {"node": "birthday_month", "month": month}
        case BirthdayBetween(start=start, end=end):
            return {"node": "birthday_between", "start": list(start), "end": list(end)}
        case Purchased(period=period, skus=skus):
            return {"node": "purchased", "period": period_to_json(period), "skus": list(skus)}
        case OfferUsed(period=period, offer_codes=codes):
            return {"node": "offer_used", "period": period_to_json(period), "offers": list(codes)}
        case CustomField(key=key, match=m):
            return {"node": "custom_field", "key": key, "match": match_to_json(m)}
        case Linked(profile=profile, condition=inner):
            return {"node": "linked", "profile": profile.value, "condition": to_json(inner)}
        case And(items=items):
            return {"node": "and", "items": [to_json(i) for i in items]}
        case Or(items=items):
            return {"node": "or", "items": [to_json(i) for i in items]}
        case Not(item=item):
            return {"node": "not", "item": to_json(item)}
    raise TypeError(f"unknown condition {node!r}")


def from_json(data: Json) -> Condition:
    kind = data["node"]
    if kind == "everyone":
        return Everyone()
    if kind == "compare":
        return Compare(Attr(data["attr"]), match_from_json(data["match"]))
    if kind == "any_of":
        return AnyOf(Attr(data["attr"]), tuple(str(v) for v in data["values"]))
    if kind == "birthday_month":
        return BirthdayMonth(int(data["month"]))
    if kind == "birthday_between":
        s, e = data["start"], data["end"]
        return BirthdayBetween((int(s[0]), int(s[1])), (int(e[0]), int(e[1])))
    if kind == "purchased":
        return Purchased(period_from_json(data.get("period")), tuple(data.get("skus", ())))
    if kind == "offer_used":
        return OfferUsed(period_from_json(data.get("period")), tuple(data.get("offers", ())))
    if kind == "custom_field":
        return CustomField(str(data["key"]), match_from_json(data["match"]))
    if kind == "linked":
        return Linked(Profile(data["profile"]), from_json(data["condition"]))
    if kind in ("and", "or"):
        items = tuple(from_json(i) for i in data["items"])
        return And(items) if kind == "and" else Or(items)
    if kind == "not":
        return Not(from_json(data["item"]))
    raise ValueError(f"unknown condition node {kind!r}")


def group_to_json(group: Group) -> Json:
    return {
        "version": VERSION,
        "include": [to_json(c) for c in group.include],
        "exclude": [to_json(c) for c in group.exclude],
    }


def group_from_json(data: Json) -> Group:
    version = data.get("version")
    if version != VERSION:
        raise DomainError(f"Unsupported definition version {version!r}; expected {VERSION}.")
    try:
        return Group(
            include=tuple(from_json(c) for c in data.get("include", ())),
            exclude=tuple(from_json(c) for c in data.get("exclude", ())),
        )
    except (KeyError, ValueError, TypeError, IndexError) as error:
        raise DomainError(f"Malformed stored definition: {error}.", field="definition") from error
