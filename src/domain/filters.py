"""The condition model every list filter, saved filter and segment is made of.

A condition is a tree of frozen dataclasses keyed by ``Attr``; it knows nothing of SQL. Only
positive operators exist here: "not equals", "does not contain", "has no value" and "none of"
are ``Not`` of the positive condition, so each negative operator is exactly the complement of
its positive one (an empty field therefore matches every negative operator).

Each condition is evaluated against one profile (customer, member or subscriber). An attribute
that lives on another profile is reached through ``Linked`` (X1): a customer matches
``Linked(SUBSCRIBER, c)`` when one of its linked subscribers matches ``c``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, ErrorCode
from domain.period import Period

MAX_DEPTH = 256
"""Nesting depth a definition may reach (and / or / not / linked each add one level). A guard
for the recursive steps that read a definition (conversion, compilation to SQL), set above what
reaches them through the API: GraphQL refuses values nested deeper than 200 levels (an ``and``
or ``or`` level is two, its list and its object), and JSON bodies nested deeper than 1,024."""


class Profile(StrEnum):
    CUSTOMER = "customer"
    MEMBER = "member"
    SUBSCRIBER = "subscriber"


class Attr(StrEnum):
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"
    GENDER = "gender"
    EMAIL = "email"
    PHONE = "phone"
    CARRIER = "carrier"
    ADDRESS = "address"
    PROVINCE = "province"
    DISTRICT = "district"
    TAG = "tag"
    CHAT_TAG = "chat_tag"
    CUSTOMER_TAG = "customer_tag"
    SIGNUP_DATE = "signup_date"
    ORDERS_COUNT = "orders_count"
    TOTAL_SPENT = "total_spent"
    LAST_PURCHASE = "last_purchase"
    CHANNEL = "channel"
    TIER = "tier"
    POINTS = "points"
    MEMBER_SINCE = "member_since"
    MEMBER_CODE = "member_code"
    LAST_INTERACTION = "last_interaction"
    STORE_NAME = "store_name"
    STORE_CODE = "store_code"
    CUSTOMER_CODE = "customer_code"
    CUSTOMER_NAME = "customer_name"
    LAST_SOURCE = "last_source"
    LAST_PAGE_SOURCE = "last_page_source"
    UTM_SOURCE = "utm_source"
    UTM_MEDIUM = "utm_medium"
    UTM_CAMPAIGN = "utm_campaign"
    OTN_TOPIC = "otn_topic"
    SEQUENCE = "sequence"


class AttrType(StrEnum):
    TEXT = "text"
    PHONE = "phone"
    NUMBER = "number"
    DATETIME = "datetime"
    SET = "set"


_BOTH = {Profile.CUSTOMER, Profile.SUBSCRIBER}
ATTRS: dict[Attr, tuple[AttrType, frozenset[Profile]]] = {
    a: (kind, frozenset(profiles))
    for a, kind, profiles in [
        (Attr.FIRST_NAME, AttrType.TEXT, _BOTH),
        (Attr.LAST_NAME, AttrType.TEXT, _BOTH),
        (Attr.FULL_NAME, AttrType.TEXT, _BOTH),
        (Attr.GENDER, AttrType.SET, _BOTH),
        (Attr.EMAIL, AttrType.TEXT, _BOTH),
        (Attr.PHONE, AttrType.PHONE, _BOTH),
        (Attr.CARRIER, AttrType.SET, {Profile.CUSTOMER}),
        (Attr.ADDRESS, AttrType.TEXT, {Profile.CUSTOMER}),
        (Attr.PROVINCE, AttrType.TEXT, {Profile.CUSTOMER}),
        (Attr.DISTRICT, AttrType.TEXT, {Profile.CUSTOMER}),
        (Attr.TAG, AttrType.SET, _BOTH),
        (Attr.CHAT_TAG, AttrType.SET, {Profile.SUBSCRIBER}),
        (Attr.CUSTOMER_TAG, AttrType.SET, {Profile.CUSTOMER}),
        (Attr.SIGNUP_DATE, AttrType.DATETIME, _BOTH),
        (Attr.ORDERS_COUNT, AttrType.NUMBER, {Profile.CUSTOMER}),
        (Attr.TOTAL_SPENT, AttrType.NUMBER, {Profile.CUSTOMER}),
        (Attr.LAST_PURCHASE, AttrType.DATETIME, {Profile.CUSTOMER}),
        (Attr.CHANNEL, AttrType.SET, {Profile.CUSTOMER}),
        (Attr.TIER, AttrType.SET, {Profile.MEMBER}),
        (Attr.POINTS, AttrType.NUMBER, {Profile.MEMBER}),
        (Attr.MEMBER_SINCE, AttrType.DATETIME, {Profile.MEMBER}),
        (Attr.MEMBER_CODE, AttrType.TEXT, {Profile.MEMBER}),
        (Attr.LAST_INTERACTION, AttrType.DATETIME, {Profile.SUBSCRIBER}),
        (Attr.STORE_NAME, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.STORE_CODE, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.CUSTOMER_CODE, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.CUSTOMER_NAME, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.LAST_SOURCE, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.LAST_PAGE_SOURCE, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.UTM_SOURCE, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.UTM_MEDIUM, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.UTM_CAMPAIGN, AttrType.TEXT, {Profile.SUBSCRIBER}),
        (Attr.OTN_TOPIC, AttrType.SET, {Profile.SUBSCRIBER}),
        (Attr.SEQUENCE, AttrType.SET, {Profile.SUBSCRIBER}),
    ]
}


class TextOp(StrEnum):
    EQUALS = "equals"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"


# --- what a value is compared with ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Case- and diacritic-insensitive text match (phones: on the normalised number)."""

    op: TextOp
    value: str


@dataclass(frozen=True, slots=True)
class Range:
    """Numbers from ``minimum`` to ``maximum``; bounds are inclusive unless marked exclusive."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False


@dataclass(frozen=True, slots=True)
class Within:
    """An instant or a date inside a period."""

    period: Period


@dataclass(frozen=True, slots=True)
class Present:
    """The field has a value (text: not empty)."""


@dataclass(frozen=True, slots=True)
class OneOf:
    """Equal to one of ``values``, each compared as ``Text`` equals is (folded; phones: the
    normalised number); no values, no match. A text filter's ``anyOf``, and what an ``or`` of
    equalities on one attribute is compiled as (``merge_equals``)."""

    values: tuple[str, ...]


Match = Text | Range | Within | Present | OneOf


# --- conditions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Everyone:
    """Matches every row of the list."""


@dataclass(frozen=True, slots=True)
class Compare:
    attr: Attr
    match: Match


@dataclass(frozen=True, slots=True)
class AnyOf:
    """The attribute (or, for sets such as tags, one of its values) is one of ``values``."""

    attr: Attr
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BirthdayMonth:
    month: int


@dataclass(frozen=True, slots=True)
class BirthdayBetween:
    """Birthdays from ``start`` to ``end`` as (month, day), year ignored; may wrap the year."""

    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Purchased:
    """Placed an order within ``period`` (None: ever), with one of ``skus`` when given."""

    period: Period | None
    skus: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OfferUsed:
    """A member used a loyalty offer within ``period``, one of ``offer_codes`` when given."""

    period: Period | None
    offer_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomField:
    """A subscriber custom field by key; ``match`` must fit the field's type."""

    key: str
    match: Match


@dataclass(frozen=True, slots=True)
class Linked:
    """Some profile of kind ``profile`` linked to this one matches ``condition``."""

    profile: Profile
    condition: Condition


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Leaf = (
    Everyone
    | Compare
    | AnyOf
    | BirthdayMonth
    | BirthdayBetween
    | Purchased
    | OfferUsed
    | CustomField
)
Condition = Leaf | Linked | And | Or | Not

# Where behaviour lives; attributes say it in ATTRS.
HOME: dict[type, Profile] = {
    BirthdayMonth: Profile.CUSTOMER,
    BirthdayBetween: Profile.CUSTOMER,
    Purchased: Profile.CUSTOMER,
    OfferUsed: Profile.MEMBER,
    CustomField: Profile.SUBSCRIBER,
}

_ROUTES: dict[tuple[Profile, Profile], tuple[Profile, ...]] = {
    (Profile.CUSTOMER, Profile.MEMBER): (Profile.MEMBER,),
    (Profile.CUSTOMER, Profile.SUBSCRIBER): (Profile.SUBSCRIBER,),
    (Profile.SUBSCRIBER, Profile.CUSTOMER): (Profile.CUSTOMER,),
    (Profile.SUBSCRIBER, Profile.MEMBER): (Profile.CUSTOMER, Profile.MEMBER),
}


def homes(leaf: Leaf) -> frozenset[Profile]:
    if isinstance(leaf, Compare | AnyOf):
        return ATTRS[leaf.attr][1]
    home = HOME.get(type(leaf))
    return frozenset(Profile) if home is None else frozenset({home})


def place(leaf: Leaf, profile: Profile) -> Condition:
    """``leaf`` as evaluated from ``profile``: wrapped in ``Linked`` when it lives elsewhere.

    A member list evaluates conditions on the member's customer (its member attributes
    through the one linked member), so members use ``Profile.CUSTOMER`` here.
    """
    where = homes(leaf)
    if profile in where:
        return leaf
    target = Profile.CUSTOMER if Profile.CUSTOMER in where else next(iter(sorted(where)))
    node: Condition = leaf
    for hop in reversed(_ROUTES[(profile, target)]):
        node = Linked(hop, node)
    return node


def _equality(item: Condition) -> tuple[Attr, str] | None:
    """The attribute and value of ``item`` if it is a text equality."""
    match item:
        case Compare(attr=attr, match=Text(op=TextOp.EQUALS, value=value)):
            return attr, value
    return None


def merge_equals(items: Sequence[Condition]) -> list[Condition]:
    """The items of an ``or`` with the text equalities on each attribute made one ``OneOf``,
    in the place of the first of them.

    "Phone is a, or b, or c ..." is how a list of numbers is written. As one comparison with a
    list, PostgreSQL probes an index once per value (or hashes the list); as a thousand OR'ed
    comparisons, it tests each of them on every row of the table.
    """
    values: dict[Attr, list[str]] = {}
    for item in items:
        if (found := _equality(item)) is not None:
            values.setdefault(found[0], []).append(found[1])
    if all(len(listed) < 2 for listed in values.values()):
        return list(items)
    merged: list[Condition] = []
    for item in items:
        if (found := _equality(item)) is None:
            merged.append(item)
        elif (listed := values.pop(found[0], None)) is not None:
            merged.append(item if len(listed) == 1 else Compare(found[0], OneOf(tuple(listed))))
    return merged


def all_of(items: list[Condition]) -> Condition:
    if not items:
        return Everyone()
    return items[0] if len(items) == 1 else And(tuple(items))


@dataclass(frozen=True, slots=True)
class Group:
    """G1: members = (any include block) minus (any exclude block); no include = everyone."""

    include: tuple[Condition, ...] = ()
    exclude: tuple[Condition, ...] = ()

    def condition(self) -> Condition:
        included: Condition = (
            Everyone()
            if not self.include
            else (self.include[0] if len(self.include) == 1 else Or(self.include))
        )
        if not self.exclude:
            return included
        return And((included, Not(Or(self.exclude))))


def check_size(condition: Condition, *, field: str) -> None:
    """Refuse definitions nested past ``MAX_DEPTH``; the number of conditions is not limited
    (S7)."""
    stack: list[tuple[Condition, int]] = [(condition, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DomainError(
                f"The definition nests deeper than {MAX_DEPTH} levels; flatten and / or groups.",
                code=ErrorCode.TOO_COMPLEX,
                field=field,
            )
        match node:
            case And(items=items) | Or(items=items):
                stack.extend((item, depth + 1) for item in items)
            case Not(item=item) | Linked(condition=item):
                stack.append((item, depth + 1))


def _some_leaf(condition: Condition, test: Callable[[Condition], bool]) -> bool:
    """Whether ``test`` holds for a leaf of ``condition`` (through and, or, not and links)."""
    match condition:
        case And(items=items) | Or(items=items):
            return any(_some_leaf(i, test) for i in items)
        case Not(item=item) | Linked(condition=item):
            return _some_leaf(item, test)
    return test(condition)


def _has_period(leaf: Condition) -> bool:
    match leaf:
        case Compare(match=Within()) | CustomField(match=Within()):
            return True
        case Purchased(period=period) | OfferUsed(period=period):
            return period is not None
    return False


def uses_instant(condition: Condition) -> bool:
    """Whether the rows a condition selects depend on the very instant it is evaluated, not
    only on the shop's local day (periods are whole local days): available points do, as
    earned points become available with time. Such a condition is run with the instant as an
    argument of its statement."""
    return _some_leaf(condition, _on_points)


def _on_points(leaf: Condition) -> bool:
    return isinstance(leaf, Compare) and leaf.attr is Attr.POINTS


def uses_periods(condition: Condition) -> bool:
    return _some_leaf(condition, _has_period)


def searches_text(condition: Condition) -> bool:
    """Whether a leaf of ``condition`` looks for text inside an attribute's value (``contains``
    on anything but a phone, whose digits are matched apart)."""
    return _some_leaf(condition, _contains_text)


def _contains_text(leaf: Condition) -> bool:
    return (
        isinstance(leaf, Compare)
        and leaf.attr is not Attr.PHONE
        and isinstance(leaf.match, Text)
        and leaf.match.op is TextOp.CONTAINS
    )


def uses_custom_fields(condition: Condition) -> bool:
    return _some_leaf(condition, lambda leaf: isinstance(leaf, CustomField))
