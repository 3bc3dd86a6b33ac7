"""Filter inputs: one typed field per documented condition, combined with and / or / not.

Every field set on one ``ProfileFilter`` must hold (AND); ``and``, ``or`` and ``not`` nest to
any depth within the documented limits. Attributes of linked profiles (X1) are followed: a
customer filter on ``otnTopic`` matches customers with a linked subscriber of that topic.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.period import PeriodUnit as DomainPeriodUnit
from graph.input_conversion import by_given_fields

PeriodUnit = strawberry.enum(DomainPeriodUnit, description="Unit of a relative period.")


@strawberry.input(description="A text condition; values are matched ignoring case and diacritics.")
class TextFilter:
    equals: str | None = strawberry.field(default=None, description="The whole value matches.")
    not_equals: str | None = strawberry.field(
        default=None, description="The whole value differs (an empty field matches)."
    )
    contains: str | None = strawberry.field(default=None, description="A substring matches.")
    not_contains: str | None = strawberry.field(
        default=None, description="No substring matches (an empty field matches)."
    )
    starts_with: str | None = strawberry.field(default=None, description="The value starts so.")
    any_of: list[str] | None = strawberry.field(
        default=None,
        description="The whole value is one of these, each matched as `equals` is (a list of "
        "phone numbers or e-mails, say); an empty list matches no one.",
    )
    none_of: list[str] | None = strawberry.field(
        default=None,
        description="The whole value is none of these (an empty field matches); an empty list "
        "matches everyone.",
    )
    has_value: bool | None = strawberry.field(
        default=None, description="true: the field is not empty; false: it is empty."
    )


@strawberry.input(description="A number condition (counts, money in VND, points).")
class NumberFilter:
    equals: Decimal | None = strawberry.field(default=None, description="Exactly this value.")
    min: Decimal | None = strawberry.field(default=None, description="At least (inclusive).")
    max: Decimal | None = strawberry.field(default=None, description="At most (inclusive).")
    greater_than: Decimal | None = strawberry.field(default=None, description="Strictly above.")
    less_than: Decimal | None = strawberry.field(default=None, description="Strictly below.")


@strawberry.input(description="A relative span: `amount` days, weeks or months.")
class RelativeInput:
    amount: int = strawberry.field(description="How many units (1 or more).")
    unit: PeriodUnit = strawberry.field(description="Days, weeks or months.")  # type: ignore[valid-type]


@strawberry.input(
    description="A period: an absolute range of days (`from`/`to`, inclusive, YYYY-MM-DD) or one "
    "relative period, evaluated when the query runs in the shop's time zone."
)
class PeriodInput:
    from_: str | None = strawberry.field(
        default=None, name="from", description="First day, YYYY-MM-DD."
    )
    to: str | None = strawberry.field(default=None, description="Last day, YYYY-MM-DD.")
    last: RelativeInput | None = strawberry.field(
        default=None, description="The last N units, today included."
    )
    next: RelativeInput | None = strawberry.field(
        default=None, description="The next N units, today included."
    )
    this_month: bool | None = strawberry.field(
        default=None, description="The current calendar month."
    )


@strawberry.input(description="A date-and-time condition: within a period, or has a value.")
class DateFilter(PeriodInput):
    has_value: bool | None = strawberry.field(
        default=None, description="true: the date is set; false: it is not."
    )


@strawberry.input(description="A set condition: the value (or one of the values) is listed.")
class SetFilter:
    any_of: list[str] | None = strawberry.field(default=None, description="One of these.")
    none_of: list[str] | None = strawberry.field(default=None, description="None of these.")


@strawberry.input(description="A day of the year.")
class MonthDayInput:
    month: int = strawberry.field(description="1-12.")
    day: int = strawberry.field(description="1-31.")


@strawberry.input(
    description="Birthday in a month, or between two days of the year (year ignored; the range "
    "may wrap over the new year, e.g. from 12-20 to 01-10)."
)
class BirthdayFilter:
    month: int | None = strawberry.field(default=None, description="Month 1-12.")
    from_: MonthDayInput | None = strawberry.field(
        default=None, name="from", description="First day of the range."
    )
    to: MonthDayInput | None = strawberry.field(default=None, description="Last day.")


@strawberry.input(description="Bought within a period (any time when omitted).")
class PurchaseFilter:
    period: PeriodInput | None = strawberry.field(default=None, description="When.")
    products: list[str] | None = strawberry.field(
        default=None, description="SKUs; when given, an order must hold one of them."
    )


@strawberry.input(description="Used a loyalty offer within a period.")
class OfferFilter:
    period: PeriodInput | None = strawberry.field(default=None, description="When.")
    offers: list[str] | None = strawberry.field(
        default=None, description="Offer codes; any offer when omitted."
    )


@strawberry.input(description="A custom field by key; the condition must fit the field's type.")
class CustomFieldFilter:
    key: str = strawberry.field(description="The custom field's key, e.g. `province`.")
    text: TextFilter | None = strawberry.field(default=None, description="For text fields.")
    number: NumberFilter | None = strawberry.field(default=None, description="For numbers.")
    date: DateFilter | None = strawberry.field(default=None, description="For date fields.")


@strawberry.input(
    description="Conditions on a person (customer, member or subscriber). All fields set must "
    "hold; attributes of linked profiles are followed."
)
class ProfileFilter:
    and_: list[ProfileFilter] | None = strawberry.field(
        default=strawberry.UNSET, name="and", description="Every one of these holds."
    )
    or_: list[ProfileFilter] | None = strawberry.field(
        default=strawberry.UNSET, name="or", description="At least one of these holds."
    )
    not_: ProfileFilter | None = strawberry.field(
        default=strawberry.UNSET, name="not", description="This does not hold."
    )
    first_name: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Given name."
    )
    last_name: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Family name."
    )
    full_name: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Full name keyword, e.g. contains `van` finds `Văn`."
    )
    gender: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="female, male, unknown."
    )
    email: TextFilter | None = strawberry.field(default=strawberry.UNSET, description="E-mail.")
    phone: TextFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Phone in any format; old 11-digit prefixes match new ones.",
    )
    has_no_email: bool | None = strawberry.field(
        default=strawberry.UNSET, description="No e-mail given."
    )
    has_no_phone: bool | None = strawberry.field(
        default=strawberry.UNSET, description="No phone given."
    )
    carrier: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Mobile carrier: viettel, mobifone, vinaphone, ..."
    )
    address: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Street address."
    )
    province: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Province / city."
    )
    district: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="District."
    )
    region: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Province or district is one of these."
    )
    tag: SetFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Tag names of the list's own rows: commerce tags on customers and members, "
        "chat tags on subscribers.",
    )
    chat_tag: SetFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Chat tags (tags given in the inbox) of the person's subscriber profiles; "
        "on the subscriber list, its own tags.",
    )
    customer_tag: SetFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Commerce tags of the person's customer profile; on the customer list, its "
        "own tags.",
    )
    signup_date: DateFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Customer creation / subscriber sign-up."
    )
    orders_count: NumberFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Number of orders."
    )
    total_spent: NumberFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Total spent, VND."
    )
    last_purchase: DateFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Time of the latest order."
    )
    channel: SetFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Purchase channels: web, pos, facebook, instagram, zalo, ...",
    )
    purchased: PurchaseFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Bought (given products) within a period."
    )
    not_purchased: PeriodInput | None = strawberry.field(
        default=strawberry.UNSET, description="Did not buy within this period."
    )
    birthday: BirthdayFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Birthday."
    )
    registered_member: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: a loyalty member; false: not registered."
    )
    tier: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Member tier codes."
    )
    points: NumberFilter | None = strawberry.field(
        default=strawberry.UNSET,
        description="Points the member can spend now (balance minus pending).",
    )
    member_since: DateFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Loyalty registration date."
    )
    member_code: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Member code."
    )
    loyalty_offer_used: OfferFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Used a loyalty offer within a period."
    )
    last_interaction: DateFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Last interaction with the chatbot."
    )
    otn_topic: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="One-time-notification topics subscribed."
    )
    sequence: SetFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Care sequences enrolled in."
    )
    store_name: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Store whose QR code was scanned."
    )
    store_code: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Its code."
    )
    customer_code: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Customer code given on the subscriber."
    )
    customer_name: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Customer name given on the subscriber."
    )
    last_source: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Last source."
    )
    last_page_source: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="Web page the chat was started from."
    )
    utm_source: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="utm_source."
    )
    utm_medium: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="utm_medium."
    )
    utm_campaign: TextFilter | None = strawberry.field(
        default=strawberry.UNSET, description="utm_campaign."
    )
    custom_field: list[CustomFieldFilter] | None = strawberry.field(
        default=strawberry.UNSET, description="Custom field conditions (all must hold)."
    )


@strawberry.input(
    description="A customer group (G1): members match any `include` block and no `exclude` "
    "block; no include block means every customer."
)
class GroupInput:
    include: list[ProfileFilter] = strawberry.field(
        default_factory=list, description="Blocks joined by OR; each block's fields by AND."
    )
    exclude: list[ProfileFilter] = strawberry.field(
        default_factory=list, description="Customers matching any of these are removed."
    )


by_given_fields(
    ProfileFilter,
    GroupInput,
    TextFilter,
    NumberFilter,
    RelativeInput,
    PeriodInput,
    DateFilter,
    SetFilter,
    MonthDayInput,
    BirthdayFilter,
    PurchaseFilter,
    OfferFilter,
    CustomFieldFilter,
)
