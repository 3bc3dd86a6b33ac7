"""The `filter` argument of the customer, member and subscriber lists, with the seeds' examples."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import GraphQL
from tests.factories import (
    make_customer,
    make_member,
    make_order,
    make_page,
    make_subscriber,
    make_tag,
)

CUSTOMERS = """
query Customers($filter: ProfileFilter, $first: Int) {
  customers(filter: $filter, first: $first) {
    totalCount
    nodes { fullName }
  }
}
"""

MEMBERS = """
query Members($filter: ProfileFilter) {
  members(filter: $filter) { totalCount nodes { memberCode } }
}
"""

SUBSCRIBERS = """
query Subscribers($filter: ProfileFilter) {
  subscribers(filter: $filter) { totalCount nodes { fullName } }
}
"""


async def names(gql: GraphQL, filter: dict[str, Any], query: str = CUSTOMERS) -> list[str]:
    body = await gql(query, {"filter": filter})
    assert "errors" not in body, body
    conn = next(iter(body["data"].values()))
    found = [n.get("fullName") or n.get("memberCode") for n in conn["nodes"]]
    assert conn["totalCount"] == len(found)
    return sorted(found)


async def error_of(gql: GraphQL, filter: dict[str, Any]) -> dict[str, Any]:
    body = await gql(CUSTOMERS, {"filter": filter})
    assert body["data"] is None, body
    return dict(body["errors"][0]["extensions"]) | {"message": body["errors"][0]["message"]}


@pytest.mark.spec("S6")
async def test_omitted_and_null_fields_set_no_condition(
    gql: GraphQL, session: AsyncSession
) -> None:
    await make_customer(session, full_name="An", phone="0912345678")
    await make_customer(session, full_name="Bình", phone=None)

    assert await names(gql, {}) == ["An", "Bình"]
    assert await names(gql, {"fullName": None, "and": None, "not": None}) == ["An", "Bình"]
    assert await names(gql, {"phone": {"hasValue": True}, "or": None}) == ["An"]
    assert await names(gql, {"not": {"phone": {"hasValue": True}, "email": None}}) == ["Bình"]


@pytest.mark.spec("S8")
async def test_bounds_beyond_what_a_column_holds(gql: GraphQL, session: AsyncSession) -> None:
    """A bound past the column's 16 digits was an overflow error in PostgreSQL."""
    await make_customer(session, full_name="An", total_spent=5_000_000, orders_count=3)

    assert await names(gql, {"totalSpent": {"min": "1e37"}}) == []
    assert await names(gql, {"totalSpent": {"min": "4999999.99999999999999999999"}}) == ["An"]
    assert await names(gql, {"totalSpent": {"lessThan": "1e20"}}) == ["An"]
    assert await names(gql, {"totalSpent": {"greaterThan": "-1e30"}}) == ["An"]
    assert await names(gql, {"ordersCount": {"max": "1e30"}}) == ["An"]


@pytest.mark.spec("S8")
async def test_periods_reaching_the_ends_of_the_calendar(
    gql: GraphQL, session: AsyncSession
) -> None:
    """The first day's midnight at +07:00 is before the calendar in UTC and the last day has no
    day after it: both sides are open there (each was an internal error)."""
    await make_customer(session, full_name="An", last_order_at=datetime(2026, 5, 1, tzinfo=UTC))
    await make_customer(session, full_name="Bình")

    everyone = {"from": "0001-01-01", "to": "9999-12-31"}
    assert await names(gql, {"lastPurchase": everyone}) == ["An"]
    assert await names(gql, {"lastPurchase": {"from": "0001-01-01"}}) == ["An"]
    assert await names(gql, {"lastPurchase": {"to": "9999-12-31"}}) == ["An"]
    assert await names(gql, {"lastPurchase": {"to": "0001-01-01"}}) == []
    assert await names(gql, {"purchased": {"period": everyone}}) == ["An"]
    assert await names(gql, {"not": {"lastPurchase": everyone}}) == ["Bình"]


@pytest.mark.spec("S8", "X2")
async def test_address_equals_and_contains(gql: GraphQL, session: AsyncSession) -> None:
    await make_customer(session, full_name="A", address="182 Lê Đại Hành")
    await make_customer(session, full_name="B", address="182 Lê Đại Hành, Quận 11")
    await make_customer(session, full_name="C", address=None)
    await make_customer(session, full_name="D", address="")

    assert await names(gql, {"address": {"equals": "182 le dai hanh"}}) == ["A"]
    assert await names(gql, {"address": {"contains": "182"}}) == ["A", "B"]
    assert await names(gql, {"address": {"contains": "LÊ ĐẠI"}}) == ["A", "B"]
    # Negative operators are complements: empty addresses match them.
    assert await names(gql, {"address": {"notEquals": "182 Lê Đại Hành"}}) == ["B", "C", "D"]
    assert await names(gql, {"address": {"notContains": "quan 11"}}) == ["A", "C", "D"]
    assert await names(gql, {"address": {"hasValue": False}}) == ["C", "D"]


@pytest.mark.spec("S8", "G2", "X2")
async def test_phone_starts_with_old_prefix_and_has_value(
    gql: GraphQL, session: AsyncSession
) -> None:
    await make_customer(session, full_name="old", phone="0123 456 7890")
    await make_customer(session, full_name="new", phone="+84 83 456 7891")
    await make_customer(session, full_name="viettel", phone="0981.345.678")
    await make_customer(session, full_name="none")

    assert await names(gql, {"phone": {"startsWith": "0123"}}) == ["new", "old"]
    assert await names(gql, {"phone": {"hasValue": True}}) == ["new", "old", "viettel"]
    assert await names(gql, {"hasNoPhone": True}) == ["none"]
    assert await names(gql, {"phone": {"equals": "84981345678"}}) == ["viettel"]
    assert await names(gql, {"carrier": {"anyOf": ["vinaphone"]}}) == ["new", "old"]
    # A fragment with a retired prefix or +84 also finds the numbers starting with its normal
    # form; any fragment finds the numbers holding its digits.
    assert await names(gql, {"phone": {"contains": "0123 456 7890"}}) == ["old"]
    assert await names(gql, {"phone": {"contains": "0123.456"}}) == ["new", "old"]
    assert await names(gql, {"phone": {"contains": "+84 98134"}}) == ["viettel"]
    assert await names(gql, {"phone": {"contains": "1.345 6"}}) == ["viettel"]
    assert await names(gql, {"phone": {"notContains": "0123456"}}) == ["none", "viettel"]


@pytest.mark.spec("S7", "S8", "X2")
async def test_a_pasted_list_of_phones_and_emails(gql: GraphQL, session: AsyncSession) -> None:
    """`anyOf` / `noneOf` on a text field: each value matched as `equals` is (phones in any
    format, old prefixes, e-mails and names without case or diacritics)."""
    await make_customer(session, full_name="old", phone="0123 456 7890", email="An@Shop.vn")
    await make_customer(session, full_name="new", phone="+84 83 456 7891")
    await make_customer(session, full_name="viettel", phone="0981.345.678", email="b@shop.vn")
    await make_customer(session, full_name="Nguyễn Văn An")
    await make_customer(session, full_name='Shop "Đẹp", {HN} \\ 2')

    pasted = ["+84 83 456 7890", "0981-345-678", "0900000000"]
    assert await names(gql, {"phone": {"anyOf": pasted}}) == ["old", "viettel"]
    # As `notEquals`: customers without a phone are not on the list either.
    assert await names(gql, {"phone": {"noneOf": pasted}}) == [
        "Nguyễn Văn An",
        'Shop "Đẹp", {HN} \\ 2',
        "new",
    ]
    assert await names(gql, {"email": {"anyOf": [" an@SHOP.VN ", "c@shop.vn"]}}) == ["old"]
    assert await names(gql, {"fullName": {"anyOf": ["nguyen van an", "Le"]}}) == ["Nguyễn Văn An"]
    # A list is bound as one text that PostgreSQL splits: quotes, commas, braces and
    # backslashes are the values' own.
    odd = ['shop "dep", {hn} \\ 2', "NULL", "{}"]
    assert await names(gql, {"fullName": {"anyOf": odd}}) == ['Shop "Đẹp", {HN} \\ 2']
    assert await names(gql, {"phone": {"anyOf": []}}) == []
    assert len(await names(gql, {"phone": {"noneOf": []}})) == 5
    both = {"phone": {"anyOf": pasted, "noneOf": ["0981345678"]}}
    assert await names(gql, both) == ["old"]
    thousands = [f"09{n:08d}" for n in range(5_000)] + ["0123 456 7890"]
    assert await names(gql, {"phone": {"anyOf": thousands}}) == ["old"]

    blank = await error_of(gql, {"email": {"anyOf": ["a@shop.vn", "  "]}})
    assert blank["field"] == "filter.email.anyOf.1"
    assert "hasValue" in blank["message"]
    no_digits = await error_of(gql, {"phone": {"noneOf": ["0912345678", "n/a"]}})
    assert no_digits["field"] == "filter.phone.noneOf.1"
    assert "no digits" in no_digits["message"]


@pytest.mark.spec("G2", "X2")
async def test_customers_named_van(gql: GraphQL, session: AsyncSession) -> None:
    await make_customer(session, full_name="Nguyễn Văn An")
    await make_customer(session, full_name="Trần Thị Vân")
    await make_customer(session, full_name="Lê Đức")
    assert await names(gql, {"fullName": {"contains": "Văn"}}) == ["Nguyễn Văn An", "Trần Thị Vân"]
    assert await names(gql, {"fullName": {"contains": "duc"}}) == ["Lê Đức"]


@pytest.mark.spec("G2", "L5")
async def test_numbers_sets_and_nesting(gql: GraphQL, session: AsyncSession) -> None:
    vip = await make_tag(session, name="Khách quen")
    a = await make_customer(
        session,
        full_name="a",
        orders_count=5,
        total_spent=5_000_000,
        gender="female",
        channels=["web", "pos"],
    )
    await make_customer(
        session,
        full_name="b",
        orders_count=1,
        total_spent=100_000,
        gender="male",
        channels=["shopee"],
    )
    await make_customer(session, full_name="c", orders_count=0, total_spent=0)
    await session.execute(insert(t.customer_tag).values(shop_id=1, customer_id=a, tag_id=vip))

    assert await names(gql, {"ordersCount": {"min": 1, "max": 5}}) == ["a", "b"]
    assert await names(gql, {"ordersCount": {"equals": 0}}) == ["c"]
    assert await names(gql, {"totalSpent": {"greaterThan": 100000}}) == ["a"]
    assert await names(gql, {"tag": {"anyOf": ["khach quen"]}}) == ["a"]
    assert await names(gql, {"tag": {"noneOf": ["Khách quen"]}}) == ["b", "c"]
    assert await names(gql, {"channel": {"anyOf": ["POS", "shopee"]}}) == ["a", "b"]
    assert await names(gql, {"gender": {"noneOf": ["female"]}}) == ["b", "c"]
    nested = {"or": [{"gender": {"anyOf": ["male"]}}, {"not": {"ordersCount": {"min": 1}}}]}
    assert await names(gql, nested) == ["b", "c"]
    # A tag under an OR, or under a NOT of an AND, is counted as a left-joined set (`names`
    # checks the count against the page, which reads it as an EXISTS).
    tagged_or_male = {"or": [{"tag": {"anyOf": ["khach quen"]}}, {"gender": {"anyOf": ["male"]}}]}
    assert await names(gql, tagged_or_male) == ["a", "b"]
    not_both = {"not": {"tag": {"anyOf": ["Khách quen"]}, "ordersCount": {"min": 5}}}
    assert await names(gql, not_both) == ["b", "c"]
    untagged_or_big = {"or": [{"tag": {"noneOf": ["khach quen"]}}, {"ordersCount": {"min": 5}}]}
    assert await names(gql, untagged_or_big) == ["a", "b", "c"]


@pytest.mark.spec("G2", "L2", "L3", "L5")
async def test_purchase_periods_birthday_and_membership(
    gql: GraphQL, session: AsyncSession
) -> None:
    # The clock is 2026-11-23 10:00 in Ho Chi Minh City.
    recent = await make_customer(session, full_name="recent", birthday=date(1990, 12, 30))
    old = await make_customer(session, full_name="old", birthday=date(1985, 1, 5))
    await make_customer(session, full_name="never", birthday=date(1999, 6, 1))
    for customer, placed in (
        (recent, datetime(2026, 11, 1, tzinfo=UTC)),
        (old, datetime(2026, 1, 1, tzinfo=UTC)),
    ):
        await make_order(session, customer, placed)
    await make_member(session, customer_id=recent, tier="gold", member_code="M-R")

    last30 = {"last": {"amount": 30, "unit": "DAYS"}}
    assert await names(gql, {"purchased": {"period": last30}}) == ["recent"]
    assert await names(gql, {"notPurchased": last30}) == ["never", "old"]
    assert await names(
        gql, {"birthday": {"from": {"month": 12, "day": 20}, "to": {"month": 1, "day": 10}}}
    ) == ["old", "recent"]
    assert await names(gql, {"birthday": {"month": 6}}) == ["never"]
    assert await names(gql, {"registeredMember": True}) == ["recent"]
    assert await names(gql, {"registeredMember": False}) == ["never", "old"]
    assert await names(gql, {"tier": {"anyOf": ["gold"]}}) == ["recent"]
    assert await names(
        gql, {"purchased": {"period": {"from": "2026-01-01", "to": "2026-01-01"}}}
    ) == ["old"]
    assert await names(gql, {"tier": {"anyOf": ["gold"]}}, MEMBERS) == ["M-R"]
    gold_or_old = {"or": [{"tier": {"anyOf": ["gold"]}}, {"fullName": {"equals": "old"}}]}
    assert await names(gql, gold_or_old) == ["old", "recent"]
    gold_or_buyer = {"or": [{"tier": {"anyOf": ["gold"]}}, {"purchased": {"period": last30}}]}
    assert await names(gql, gold_or_buyer, MEMBERS) == ["M-R"]


@pytest.mark.spec("X1", "S6")
async def test_cross_profile_conditions(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session)
    linked = await make_customer(session, full_name="linked", orders_count=3)
    await make_customer(session, full_name="alone")
    await make_subscriber(
        session, page_id=page, full_name="Sub Linked", customer_id=linked, utm_campaign="tet-2026"
    )
    await make_subscriber(session, page_id=page, full_name="Sub Alone", utm_campaign="tet-2026")

    assert await names(gql, {"utmCampaign": {"equals": "TET-2026"}}) == ["linked"]
    assert await names(gql, {"utmCampaign": {"equals": "tet-2026"}}, SUBSCRIBERS) == [
        "Sub Alone",
        "Sub Linked",
    ]
    assert await names(gql, {"ordersCount": {"min": 1}}, SUBSCRIBERS) == ["Sub Linked"]
    # Linked conditions under an OR or a NOT: a subscriber with no customer has none of its
    # customer's attributes, in the page and in the count alike.
    either = {"or": [{"utmCampaign": {"equals": "tet-2026"}}, {"fullName": {"equals": "alone"}}]}
    assert await names(gql, either) == ["alone", "linked"]
    buyer_or_alone = {"or": [{"ordersCount": {"min": 1}}, {"fullName": {"contains": "alone"}}]}
    assert await names(gql, buyer_or_alone, SUBSCRIBERS) == ["Sub Alone", "Sub Linked"]
    not_a_buyer = {"or": [{"not": {"ordersCount": {"min": 1}}}, {"fullName": {"equals": "x"}}]}
    assert await names(gql, not_a_buyer, SUBSCRIBERS) == ["Sub Alone"]


@pytest.mark.spec("S8")
async def test_bad_input_names_the_field(gql: GraphQL, shop: int) -> None:
    inverted = await error_of(gql, {"ordersCount": {"min": 5, "max": 1}})
    assert inverted["code"] == "BAD_USER_INPUT"
    assert inverted["field"] == "filter.ordersCount.min"
    assert inverted["reason"] == "INVALID_RANGE"
    bad_date = await error_of(gql, {"and": [{"lastPurchase": {"from": "2026-13-01"}}]})
    assert bad_date["field"] == "filter.and.0.lastPurchase.from"
    unknown = await error_of(gql, {"customField": [{"key": "nope", "text": {"equals": "x"}}]})
    assert (unknown["field"], unknown["reason"]) == ("filter.customField.0.key", "UNKNOWN_FIELD")
    gender = await error_of(gql, {"gender": {"anyOf": ["robot"]}})
    assert gender["field"] == "filter.gender.anyOf.0"
