"""Conditions without a test so far: subscriber attributes, custom fields, loyalty, products,
the member and subscriber lists, and customer attributes from the subscriber list (X1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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

SUBSCRIBERS = """
query Subscribers($filter: ProfileFilter) {
  subscribers(filter: $filter) { totalCount nodes { fullName } }
}
"""
CUSTOMERS = """
query Customers($filter: ProfileFilter) {
  customers(filter: $filter) { totalCount nodes { fullName } }
}
"""
MEMBERS = """
query Members($filter: ProfileFilter) {
  members(filter: $filter) { totalCount nodes { memberCode } }
}
"""
NOW = datetime(2026, 11, 23, 3, tzinfo=UTC)
LAST_7 = {"last": {"amount": 7, "unit": "DAYS"}}


async def names(gql: GraphQL, query: str, filter: dict[str, Any]) -> list[str]:
    body = await gql(query, {"filter": filter})
    assert "errors" not in body, body
    conn = next(iter(body["data"].values()))
    found = [n.get("fullName") or n.get("memberCode") for n in conn["nodes"]]
    assert conn["totalCount"] == len(found)
    return sorted(found)


async def error_of(gql: GraphQL, query: str, filter: dict[str, Any]) -> dict[str, Any]:
    body = await gql(query, {"filter": filter})
    assert body["data"] is None, body
    return dict(body["errors"][0]["extensions"])


@pytest.mark.spec("S6", "S2", "S3", "S4")
async def test_subscriber_attributes(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session)
    a = await make_subscriber(
        session,
        page_id=page,
        full_name="Ngô Thị Ánh",
        first_name="Ánh",
        last_name="Ngô",
        gender="female",
        last_interaction_at=NOW - timedelta(days=2),
        signed_up_at=NOW - timedelta(days=40),
        store_name="Cửa hàng Quận 1",
        store_code="Q1",
        customer_code="KH-001",
        customer_name="Chị Ánh",
        last_source="ref:tet",
        last_page_source="https://shop.vn/ao-dai",
        utm_source="facebook",
        utm_medium="cpc",
        utm_campaign="tet-2026",
    )
    b = await make_subscriber(
        session, page_id=page, full_name="Đỗ Văn Bình", gender="male", signed_up_at=NOW
    )
    await session.execute(
        insert(t.otn_subscription).values(shop_id=1, subscriber_id=a, topic="Hàng mới về")
    )
    seq = (
        await session.execute(
            insert(t.sequence).values(shop_id=1, name="Chào mừng").returning(t.sequence.c.id)
        )
    ).scalar_one()
    await session.execute(
        insert(t.sequence_enrolment).values(shop_id=1, sequence_id=seq, subscriber_id=b)
    )

    assert await names(gql, SUBSCRIBERS, {"otnTopic": {"anyOf": ["hang moi ve"]}}) == [
        "Ngô Thị Ánh"
    ]
    assert await names(gql, SUBSCRIBERS, {"sequence": {"anyOf": ["chao mung"]}}) == ["Đỗ Văn Bình"]
    assert await names(gql, SUBSCRIBERS, {"sequence": {"noneOf": ["Chào mừng"]}}) == ["Ngô Thị Ánh"]
    assert await names(gql, SUBSCRIBERS, {"firstName": {"equals": "anh"}}) == ["Ngô Thị Ánh"]
    assert await names(gql, SUBSCRIBERS, {"lastName": {"startsWith": "do"}}) == []
    assert await names(gql, SUBSCRIBERS, {"fullName": {"startsWith": "do"}}) == ["Đỗ Văn Bình"]
    assert await names(gql, SUBSCRIBERS, {"gender": {"anyOf": ["female"]}}) == ["Ngô Thị Ánh"]
    assert await names(gql, SUBSCRIBERS, {"lastInteraction": LAST_7}) == ["Ngô Thị Ánh"]
    assert await names(gql, SUBSCRIBERS, {"lastInteraction": {"hasValue": False}}) == [
        "Đỗ Văn Bình"
    ]
    assert await names(gql, SUBSCRIBERS, {"signupDate": LAST_7}) == ["Đỗ Văn Bình"]
    for field, value in (
        ("storeName", "quan 1"),
        ("storeCode", "q1"),
        ("customerCode", "kh-0"),
        ("customerName", "anh"),
        ("lastSource", "tet"),
        ("lastPageSource", "ao-dai"),
        ("utmSource", "face"),
        ("utmMedium", "cpc"),
        ("utmCampaign", "2026"),
    ):
        assert await names(gql, SUBSCRIBERS, {field: {"contains": value}}) == ["Ngô Thị Ánh"], field
        assert await names(gql, SUBSCRIBERS, {field: {"notContains": value}}) == ["Đỗ Văn Bình"], (
            field
        )


@pytest.mark.spec("S5", "S6")
async def test_custom_fields_by_type(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session)
    a = await make_subscriber(session, page_id=page, full_name="A")
    await make_subscriber(session, page_id=page, full_name="B")
    fields = {}
    kinds = (
        ("industry", "text"),
        ("member_points", "number"),
        ("expiry", "date"),
        ("mobile", "phone"),
    )
    for key, kind in kinds:
        fields[key] = (
            await session.execute(
                insert(t.custom_field)
                .values(shop_id=1, key=key, label=key, type=kind)
                .returning(t.custom_field.c.id)
            )
        ).scalar_one()
    for key, column, value in (
        ("industry", "value_text", "Thời trang"),
        ("member_points", "value_number", 120),
        ("expiry", "value_date", date(2026, 11, 25)),
        ("mobile", "value_text", "0834567890"),  # stored normalised, from 0123 456 7890
    ):
        await session.execute(
            insert(t.custom_field_value).values(
                shop_id=1, subscriber_id=a, field_id=fields[key], **{column: value}
            )
        )

    def cf(key: str, **condition: Any) -> dict[str, Any]:
        return {"customField": [{"key": key, **condition}]}

    assert await names(gql, SUBSCRIBERS, cf("industry", text={"contains": "thoi"})) == ["A"]
    assert await names(gql, SUBSCRIBERS, cf("industry", text={"notEquals": "thời trang"})) == ["B"]
    listed = {"anyOf": ["Mỹ phẩm", "THOI TRANG"]}
    assert await names(gql, SUBSCRIBERS, cf("industry", text=listed)) == ["A"]
    assert await names(gql, SUBSCRIBERS, cf("industry", text={"noneOf": ["thời trang"]})) == ["B"]
    phones = {"anyOf": ["+84 123 456 7890", "0900000000"]}
    assert await names(gql, SUBSCRIBERS, cf("mobile", text=phones)) == ["A"]
    assert await names(gql, SUBSCRIBERS, cf("mobile", text={"noneOf": ["84834567890"]})) == ["B"]
    assert await names(gql, SUBSCRIBERS, cf("industry", text={"anyOf": ["0834567890"]})) == []
    assert await names(gql, SUBSCRIBERS, cf("member_points", number={"min": 100})) == ["A"]
    assert await names(gql, SUBSCRIBERS, cf("member_points", number={"lessThan": 100})) == []
    next_week = {"next": {"amount": 7, "unit": "DAYS"}}
    assert await names(gql, SUBSCRIBERS, cf("expiry", date=next_week)) == ["A"]
    assert await names(gql, SUBSCRIBERS, cf("expiry", date={"hasValue": False})) == ["B"]

    wrong = await error_of(gql, SUBSCRIBERS, cf("member_points", text={"equals": "1"}))
    assert (wrong["field"], wrong["reason"]) == (
        "filter.customField.0.text",
        "OPERATOR_NOT_ALLOWED",
    )
    no_digits = await error_of(gql, SUBSCRIBERS, cf("mobile", text={"anyOf": ["0912", "x"]}))
    assert no_digits["field"] == "filter.customField.0.text.anyOf.1"
    unknown = await error_of(gql, SUBSCRIBERS, cf("nope", text={"equals": "1"}))
    assert (unknown["field"], unknown["reason"]) == ("filter.customField.0.key", "UNKNOWN_FIELD")


@pytest.mark.spec("G2", "L4", "L5")
async def test_loyalty_products_and_members_list(gql: GraphQL, session: AsyncSession) -> None:
    gold = await make_customer(session, full_name="Gold", birthday=date(1990, 3, 1))
    silver = await make_customer(session, full_name="Silver", total_spent=2_000_000)
    await make_customer(session, full_name="Guest")
    gm = await make_member(
        session,
        customer_id=gold,
        tier="gold",
        member_code="M-G",
        points_balance=500,
        member_since=NOW - timedelta(days=3),
        points_pending_until=NOW + timedelta(hours=23),
    )
    await make_member(
        session, customer_id=silver, member_code="M-S", points_balance=300, member_since=NOW
    )
    # 400 of gold's 500 points were earned an hour ago and become usable tomorrow.
    await session.execute(
        insert(t.point_entry).values(
            shop_id=1,
            member_id=gm,
            kind="earn",
            points=400,
            occurred_at=NOW - timedelta(hours=1),
            available_at=NOW + timedelta(hours=23),
        )
    )
    await session.execute(
        insert(t.offer_use).values(
            shop_id=1,
            member_id=gm,
            offer_code="BDAY",
            offer_name="Quà sinh nhật",
            used_at=NOW - timedelta(days=1),
        )
    )
    product = (
        await session.execute(
            insert(t.product)
            .values(shop_id=1, sku="AO-DAI", name="Áo dài")
            .returning(t.product.c.id)
        )
    ).scalar_one()
    order = await make_order(
        session, silver, NOW - timedelta(days=2), channel="pos", total_amount=2_000_000
    )
    await session.execute(
        insert(t.order_line).values(
            shop_id=1, order_id=order, product_id=product, quantity=1, amount=1
        )
    )

    # Points are the available ones: 500 - 400 pending = 100 for gold.
    assert await names(gql, CUSTOMERS, {"points": {"min": 200}}) == ["Silver"]
    assert await names(gql, CUSTOMERS, {"points": {"equals": 100}}) == ["Gold"]
    assert await names(gql, CUSTOMERS, {"loyaltyOfferUsed": {"period": LAST_7}}) == ["Gold"]
    assert (
        await names(gql, CUSTOMERS, {"loyaltyOfferUsed": {"period": LAST_7, "offers": ["OTHER"]}})
        == []
    )
    assert await names(
        gql, CUSTOMERS, {"memberSince": {"last": {"amount": 1, "unit": "DAYS"}}}
    ) == ["Silver"]
    assert await names(gql, CUSTOMERS, {"tier": {"noneOf": ["gold"]}}) == ["Guest", "Silver"]
    assert await names(
        gql, CUSTOMERS, {"purchased": {"period": LAST_7, "products": ["AO-DAI"]}}
    ) == ["Silver"]
    assert (
        await names(gql, CUSTOMERS, {"purchased": {"period": LAST_7, "products": ["OTHER"]}}) == []
    )
    assert await names(gql, CUSTOMERS, {"birthday": {"month": 3}}) == ["Gold"]
    # The member list (L5) mixes member and customer attributes.
    assert await names(gql, MEMBERS, {"totalSpent": {"min": 1_000_000}}) == ["M-S"]
    assert await names(gql, MEMBERS, {"points": {"max": 150}}) == ["M-G"]
    assert await names(gql, MEMBERS, {"purchased": {"period": LAST_7}}) == ["M-S"]
    assert await names(gql, MEMBERS, {"fullName": {"contains": "gold"}}) == ["M-G"]


@pytest.mark.spec("X1")
async def test_subscriber_list_by_customer_and_member_attributes(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    rich = await make_customer(session, full_name="Rich", total_spent=9_000_000, province="Hà Nội")
    await make_member(session, customer_id=rich, tier="gold")
    await make_subscriber(session, page_id=page, full_name="Sub Rich", customer_id=rich)
    await make_subscriber(session, page_id=page, full_name="Sub Alone")
    assert await names(gql, SUBSCRIBERS, {"totalSpent": {"min": 1}}) == ["Sub Rich"]
    assert await names(gql, SUBSCRIBERS, {"tier": {"anyOf": ["gold"]}}) == ["Sub Rich"]
    assert await names(gql, SUBSCRIBERS, {"region": {"anyOf": ["ha noi"]}}) == ["Sub Rich"]
    assert await names(gql, SUBSCRIBERS, {"registeredMember": False}) == ["Sub Alone"]


@pytest.mark.spec("X1", "S6", "T1")
async def test_chat_tags_and_customer_tags_across_linked_profiles(
    gql: GraphQL, session: AsyncSession
) -> None:
    """`tag` is a list's own tags; `chatTag` reaches the subscribers' tags from the customer
    and member lists, `customerTag` the customer's tags from the subscriber list."""
    page = await make_page(session)
    hoi_gia = await make_tag(session, name="Hỏi giá")
    vip = await make_tag(session, name="VIP")
    asked = await make_customer(session, full_name="Hỏi giá qua chat")
    await make_member(session, customer_id=asked, member_code="M-1")
    vip_customer = await make_customer(session, full_name="Khách VIP")
    await make_customer(session, full_name="Không thẻ")
    chatting = await make_subscriber(session, page_id=page, full_name="Sub Hỏi", customer_id=asked)
    await make_subscriber(session, page_id=page, full_name="Sub VIP", customer_id=vip_customer)
    await make_subscriber(session, page_id=page, full_name="Sub Lẻ")
    await session.execute(
        insert(t.subscriber_tag).values(shop_id=1, subscriber_id=chatting, tag_id=hoi_gia)
    )
    await session.execute(
        insert(t.customer_tag).values(shop_id=1, customer_id=vip_customer, tag_id=vip)
    )

    assert await names(gql, CUSTOMERS, {"chatTag": {"anyOf": ["hoi gia"]}}) == ["Hỏi giá qua chat"]
    assert await names(gql, CUSTOMERS, {"tag": {"anyOf": ["hoi gia"]}}) == []
    assert await names(gql, CUSTOMERS, {"chatTag": {"noneOf": ["Hỏi giá"]}}) == [
        "Khách VIP",
        "Không thẻ",
    ]
    assert await names(gql, MEMBERS, {"chatTag": {"anyOf": ["Hỏi giá"]}}) == ["M-1"]
    assert await names(gql, CUSTOMERS, {"customerTag": {"anyOf": ["vip"]}}) == ["Khách VIP"]

    assert await names(gql, SUBSCRIBERS, {"customerTag": {"anyOf": ["VIP"]}}) == ["Sub VIP"]
    assert await names(gql, SUBSCRIBERS, {"tag": {"anyOf": ["VIP"]}}) == []
    assert await names(gql, SUBSCRIBERS, {"chatTag": {"anyOf": ["hỏi giá"]}}) == ["Sub Hỏi"]
    assert await names(
        gql,
        SUBSCRIBERS,
        {"or": [{"tag": {"anyOf": ["Hỏi giá"]}}, {"customerTag": {"anyOf": ["VIP"]}}]},
    ) == ["Sub Hỏi", "Sub VIP"]
