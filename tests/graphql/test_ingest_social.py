"""Bulk upserts of subscribers, threads and messages: idempotent, linked, per-item errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import FIXED_NOW, GraphQL
from tests.factories import make_customer, make_page, make_subscriber
from tests.graphql.test_ingest_commerce import count, upsert

SUBSCRIBERS = """
mutation Subscribers($input: SubscriberBulkUpsertInput!) {
  subscriberBulkUpsert(input: $input) {
    results { index externalId id created }
    itemErrors { index field code message }
    linkConflicts { index subscriberId customerIds }
    userErrors { field code message }
  }
}
"""

THREADS = """
mutation Threads($input: ThreadBulkUpsertInput!) {
  threadBulkUpsert(input: $input) {
    results { index externalId created }
    itemErrors { index field code message }
    userErrors { field code message }
  }
}
"""

MESSAGES = """
mutation Messages($input: MessageBulkUpsertInput!) {
  messageBulkUpsert(input: $input) {
    results { index externalId created }
    itemErrors { index field code message }
    userErrors { field code message }
  }
}
"""


@pytest.mark.spec("X1", "X5")
async def test_subscribers_upsert_adopt_and_link(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session, external_id="fb-1")
    chatbot_made = await make_subscriber(session, page_id=page, platform_user_id="psid-9")
    hoa = await make_customer(session, phone="0912345678")
    await make_customer(session, email="twin@example.vn")
    await make_customer(session, email="twin@example.vn")

    items = [
        {
            "externalId": "s1",
            "pageExternalId": "fb-1",
            "platformUserId": "psid-1",
            "phone": "+84 912 345 678",
            "fullName": "Hoa",
        },
        {"externalId": "s2", "pageExternalId": "fb-1", "platformUserId": "psid-9"},
        {
            "externalId": "s3",
            "pageExternalId": "fb-1",
            "platformUserId": "psid-3",
            "email": "TWIN@example.vn",
        },
        {"externalId": "s4", "pageExternalId": "nope", "platformUserId": "psid-4"},
        {"externalId": "s5", "pageExternalId": "fb-1", "platformUserId": "psid-9"},
    ]
    result = await upsert(gql, SUBSCRIBERS, items)
    assert [(r["externalId"], r["created"]) for r in result["results"]] == [
        ("s1", True),
        ("s2", False),
        ("s3", True),
    ]
    assert {(e["index"], e["field"], e["code"]) for e in result["itemErrors"]} == {
        (3, "items.3.pageExternalId", "NOT_FOUND"),
        (4, "items.4.platformUserId", "DUPLICATE"),
    }
    [conflict] = result["linkConflicts"]
    assert conflict["index"] == 2
    assert len(conflict["customerIds"]) == 2

    s = t.subscriber
    rows = {r.external_id: r for r in await session.execute(select(s).where(s.c.page_id == page))}
    assert rows["s1"].customer_id == hoa
    assert rows["s2"].id == chatbot_made
    assert rows["s3"].customer_id is None

    again = await upsert(gql, SUBSCRIBERS, items[:3])
    assert [r["created"] for r in again["results"]] == [False, False, False]
    assert await count(session, t.subscriber) == 3


@pytest.mark.spec("C10", "X5")
async def test_threads_and_messages_keep_thread_state(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    fb = await make_page(session, external_id="fb-1")
    shopee = await make_page(session, external_id="sp-1", channel="shopee")
    await make_subscriber(session, page_id=fb, external_id="s1", phone="0912345678")
    await make_subscriber(session, page_id=shopee, external_id="s2")
    earlier = (now - timedelta(hours=2)).isoformat()

    threads = await upsert(
        gql,
        THREADS,
        [
            {"externalId": "t1", "subscriberExternalId": "s1", "lastMessageAt": earlier},
            {"externalId": "t2", "subscriberExternalId": "s2", "lastMessageAt": earlier},
            {"externalId": "t3", "subscriberExternalId": "ghost", "lastMessageAt": earlier},
        ],
    )
    assert [r["externalId"] for r in threads["results"]] == ["t1", "t2"]
    assert threads["itemErrors"][0]["code"] == "NOT_FOUND"

    def msg(
        key: str, thread: str, direction: str, minutes: int, type: str = "TEXT"
    ) -> dict[str, Any]:
        return {
            "externalId": key,
            "threadExternalId": thread,
            "direction": direction,
            "type": type,
            "body": "Chào shop",
            "sentAt": (now - timedelta(minutes=minutes)).isoformat(),
        }

    batch = [
        msg("m1", "t1", "IN", 30),
        msg("m2", "t1", "IN", 20),
        msg("m3", "t2", "IN", 10, "STICKER"),
        msg("m4", "t2", "IN", 5, "EMOJI"),
    ]
    result = await upsert(gql, MESSAGES, batch)
    assert [r["externalId"] for r in result["results"]] == ["m1", "m2", "m4"]
    assert [(e["index"], e["code"]) for e in result["itemErrors"]] == [
        (2, "UNSUPPORTED_BY_CHANNEL")
    ]

    await upsert(gql, MESSAGES, batch)  # a retry: nothing new, unread unchanged
    th = t.thread
    state = {
        r.external_id: r
        for r in await session.execute(select(th).where(th.c.external_id.in_(["t1", "t2"])))
    }
    assert (state["t1"].unread_count, state["t1"].answered) == (2, False)
    assert state["t1"].last_message_at == now - timedelta(minutes=20)
    assert state["t1"].phone_normalized == "0912345678"
    assert await count(session, t.message) == 3

    await upsert(gql, MESSAGES, [msg("m5", "t1", "OUT", 1)])
    row = (await session.execute(select(th).where(th.c.external_id == "t1"))).one()
    assert (row.unread_count, row.answered) == (0, True)


SOURCES = {
    "storeName": "Cửa hàng Lê Đại Hành",
    "storeCode": "CH-182",
    "customerCode": "KH001",
    "customerName": "Chị Hoa",
    "lastSource": "qr",
    "lastPageSource": "https://shop.vn/sale",
    "utmSource": "facebook",
    "utmMedium": "cpc",
    "utmCampaign": "Sale 11.11",
}
FILTERED = """
query Filtered($filter: ProfileFilter) {
  subscribers(filter: $filter) { nodes { fullName } }
  customers(filter: $filter) { nodes { fullName } }
}
"""


@pytest.mark.spec("S6", "X1", "X5")
async def test_subscriber_sources_are_written_and_filterable(
    gql: GraphQL, session: AsyncSession
) -> None:
    """The chatbot's "additional information" arrives with the subscriber and feeds the
    subscriber filters, and through the link the customer filters; an absent field keeps
    what is stored, and an over-long one is an item error."""
    await make_page(session, external_id="fb-1")
    await make_customer(session, full_name="Hoa", phone="0912345678")
    person = {"externalId": "s1", "pageExternalId": "fb-1", "platformUserId": "psid-1"}
    first = {**person, "fullName": "Hoa FB", "phone": "0912 345 678", **SOURCES}
    result = await upsert(gql, SUBSCRIBERS, [first])
    assert result["itemErrors"] == []
    assert result["results"][0]["created"] is True

    async def found(condition: dict[str, Any]) -> tuple[list[str], list[str]]:
        body = await gql(FILTERED, {"filter": condition})
        assert "errors" not in body, body
        names = {k: [n["fullName"] for n in v["nodes"]] for k, v in body["data"].items()}
        return names["subscribers"], names["customers"]

    assert await found({"utmCampaign": {"contains": "sale 11"}}) == (["Hoa FB"], ["Hoa"])
    for name in ("storeCode", "customerCode", "lastSource", "utmSource", "utmMedium"):
        assert await found({name: {"equals": SOURCES[name]}}) == (["Hoa FB"], ["Hoa"]), name
    assert await found({"storeName": {"contains": "le dai hanh"}}) == (["Hoa FB"], ["Hoa"])

    # Absent fields keep what is stored; a new value replaces it.
    again = await upsert(gql, SUBSCRIBERS, [{**person, "utmCampaign": "Tết"}])
    assert again["itemErrors"] == []
    assert again["results"][0]["created"] is False
    row = (
        await session.execute(
            select(t.subscriber.c.store_code, t.subscriber.c.utm_campaign).where(
                t.subscriber.c.external_id == "s1"
            )
        )
    ).one()
    assert tuple(row) == ("CH-182", "Tết")

    bad = await upsert(gql, SUBSCRIBERS, [{**person, "lastPageSource": "x" * 1001}])
    assert [(e["index"], e["field"]) for e in bad["itemErrors"]] == [(0, "items.0.lastPageSource")]
    assert await found({"utmCampaign": {"equals": "tet"}}) == (["Hoa FB"], ["Hoa"])


DEFINE = """
mutation Define($input: CustomFieldDefineInput!) {
  customFieldDefine(input: $input) {
    customField { key label type }
    userErrors { field code message }
  }
}
"""
CUSTOM = """
query Custom($filter: ProfileFilter) { subscribers(filter: $filter) { nodes { fullName } } }
"""


@pytest.mark.spec("S8", "X5")
async def test_custom_fields_are_defined_written_and_filtered(
    gql: GraphQL, session: AsyncSession
) -> None:
    """The seed's own examples, on custom fields written through the partner API: address
    equals / does not equal / contains "182 Lê Đại Hành", a phone field starting with 0123,
    the phone field having a value."""
    for key, label, kind in (
        ("dia_chi", "Địa chỉ", "TEXT"),
        ("so_di_dong", "Số di động", "PHONE"),
        ("co_giay", "Cỡ giày", "NUMBER"),
    ):
        body = await gql(DEFINE, {"input": {"key": key, "label": label, "type": kind}})
        defined = body["data"]["customFieldDefine"]
        assert defined == {
            "customField": {"key": key, "label": label, "type": kind},
            "userErrors": [],
        }
    relabel = await gql(
        DEFINE, {"input": {"key": "dia_chi", "label": "Địa chỉ nhà", "type": "TEXT"}}
    )
    assert relabel["data"]["customFieldDefine"]["customField"]["label"] == "Địa chỉ nhà"
    retyped = await gql(DEFINE, {"input": {"key": "dia_chi", "label": "x", "type": "DATE"}})
    assert retyped["data"]["customFieldDefine"]["userErrors"][0]["field"] == "input.type"
    bad_key = await gql(DEFINE, {"input": {"key": "Địa chỉ", "label": "x", "type": "TEXT"}})
    assert bad_key["data"]["customFieldDefine"]["userErrors"][0]["field"] == "input.key"
    assert await count(session, t.custom_field) == 3

    await make_page(session, external_id="fb-1")

    def person(n: int, name: str, fields: list[dict[str, Any]] | None) -> dict[str, Any]:
        return {
            "externalId": f"s{n}",
            "pageExternalId": "fb-1",
            "platformUserId": f"psid-{n}",
            "fullName": name,
            "customFields": fields,
        }

    result = await upsert(
        gql,
        SUBSCRIBERS,
        [
            person(
                1,
                "Hoa",
                [
                    {"key": "dia_chi", "value": "182 Lê Đại Hành"},
                    {"key": "so_di_dong", "value": "+84 123 456 7890"},
                    {"key": "co_giay", "value": "38"},
                ],
            ),
            person(2, "Lan", [{"key": "dia_chi", "value": "12 Hai Bà Trưng"}]),
            person(3, "Mai", None),
            person(4, "Sai", [{"key": "nganh_nghe", "value": "x"}]),
            person(5, "Sai", [{"key": "co_giay", "value": "ba tám"}]),
            person(6, "Sai", [{"key": "so_di_dong", "value": "không có"}]),
            # Past 38 digits the driver's numeric wrapped: 1e200000 was stored as 0.
            person(7, "Sai", [{"key": "co_giay", "value": "1e200000"}]),
            person(8, "Sai", [{"key": "co_giay", "value": "1e-39"}]),
            person(9, "Sai", [{"key": "co_giay", "value": "Infinity"}]),
        ],
    )
    assert [r["externalId"] for r in result["results"]] == ["s1", "s2", "s3"]
    assert [(e["field"], e["code"]) for e in result["itemErrors"]] == [
        ("items.3.customFields.0.key", "UNKNOWN_FIELD"),
        ("items.4.customFields.0.value", "INVALID"),
        ("items.5.customFields.0.value", "INVALID"),
        ("items.6.customFields.0.value", "INVALID"),
        ("items.7.customFields.0.value", "INVALID"),
        ("items.8.customFields.0.value", "INVALID"),
    ]

    async def names(condition: dict[str, Any]) -> list[str]:
        body = await gql(CUSTOM, {"filter": {"customField": [condition]}})
        assert "errors" not in body, body
        return sorted(n["fullName"] for n in body["data"]["subscribers"]["nodes"])

    address = {"key": "dia_chi"}
    assert await names({**address, "text": {"equals": "182 Lê Đại Hành"}}) == ["Hoa"]
    assert await names({**address, "text": {"equals": "182 le dai hanh"}}) == ["Hoa"]
    assert await names({**address, "text": {"notEquals": "182 Lê Đại Hành"}}) == ["Lan", "Mai"]
    assert await names({**address, "text": {"contains": "182"}}) == ["Hoa"]
    phone = {"key": "so_di_dong"}
    # A phone field matches as phones do: any format, the old 0123 prefix is now 083.
    assert await names({**phone, "text": {"startsWith": "0123"}}) == ["Hoa"]
    assert await names({**phone, "text": {"startsWith": "083 456"}}) == ["Hoa"]
    assert await names({**phone, "text": {"equals": "+84 83 456 7890"}}) == ["Hoa"]
    refused = await gql(CUSTOM, {"filter": {"customField": [{**phone, "text": {"equals": "x"}}]}})
    assert refused["errors"][0]["extensions"]["field"] == "filter.customField.0.text.equals"
    assert await names({**phone, "text": {"hasValue": True}}) == ["Hoa"]
    assert await names({"key": "co_giay", "number": {"min": 38}}) == ["Hoa"]

    # Listed fields change, the others keep their value; null removes one.
    again = await upsert(
        gql,
        SUBSCRIBERS,
        [
            person(
                1, "Hoa", [{"key": "so_di_dong", "value": None}, {"key": "co_giay", "value": "39"}]
            )
        ],
    )
    assert again["itemErrors"] == []
    assert await names({**phone, "text": {"hasValue": True}}) == []
    assert await names({"key": "co_giay", "number": {"equals": 39}}) == ["Hoa"]
    assert await names({**address, "text": {"contains": "182"}}) == ["Hoa"]


def person(n: int, name: str, **more: Any) -> dict[str, Any]:
    """A subscriber item on the page `fb-1`."""
    return {
        "externalId": f"s{n}",
        "pageExternalId": "fb-1",
        "platformUserId": f"psid-{n}",
        "fullName": name,
        **more,
    }


OTN = """
query Topics($filter: ProfileFilter) {
  subscribers(filter: $filter) { nodes { fullName otnTopics { topic subscribedAt } } }
}
"""


@pytest.mark.spec("S6", "X5", "X1")
async def test_otn_topics_are_written_through_the_partner_api(
    gql: GraphQL, session: AsyncSession
) -> None:
    """The topics given are the person's subscriptions from then on: new ones start at the
    request's time, kept ones keep theirs, unlisted ones end, absent keeps them all."""
    await make_page(session, external_id="fb-1")
    await make_customer(session, full_name="Chị Hoa", phone="0912345678")

    async def topics(condition: dict[str, Any]) -> dict[str, list[str]]:
        body = await gql(OTN, {"filter": {"otnTopic": condition}})
        assert "errors" not in body, body
        return {
            n["fullName"]: sorted(t["topic"] for t in n["otnTopics"])
            for n in body["data"]["subscribers"]["nodes"]
        }

    first = await upsert(
        gql,
        SUBSCRIBERS,
        [
            person(
                1,
                "Hoa",
                phone="0912 345 678",
                otnTopics=["Flash sale", " Hàng mới về ", "Flash sale"],
            ),
            person(2, "Lan", otnTopics=[]),
            person(3, "Sai", otnTopics=["ok", "  "]),
            person(4, "Sai", otnTopics=[f"t{i}" for i in range(51)]),
        ],
    )
    assert [(e["field"], e["code"]) for e in first["itemErrors"]] == [
        ("items.2.otnTopics.1", "INVALID"),
        ("items.3.otnTopics", "INVALID"),
    ]
    assert await topics({"anyOf": ["hang moi ve"]}) == {"Hoa": ["Flash sale", "Hàng mới về"]}
    # X1: the customer with the same phone matches the subscriber's topic.
    body = await gql(
        'query { customers(filter: {otnTopic: {anyOf: ["flash sale"]}}) { nodes { fullName } } }'
    )
    assert body["data"]["customers"]["nodes"] == [{"fullName": "Chị Hoa"}]
    o = t.otn_subscription
    earlier = FIXED_NOW - timedelta(days=5)
    await session.execute(update(o).values(subscribed_at=earlier))

    # One topic kept (with its time), one ended, one started now; absent keeps them all.
    await upsert(gql, SUBSCRIBERS, [person(1, "Hoa", otnTopics=["Hàng mới về", "Sinh nhật"])])
    assert await topics({"anyOf": ["flash sale"]}) == {}
    rows = dict((await session.execute(select(o.c.topic, o.c.subscribed_at))).tuples().all())
    assert rows == {"Hàng mới về": earlier, "Sinh nhật": FIXED_NOW}
    await upsert(gql, SUBSCRIBERS, [person(1, "Hoa")])
    assert await topics({"anyOf": ["sinh nhat"]}) == {"Hoa": ["Hàng mới về", "Sinh nhật"]}
    await upsert(gql, SUBSCRIBERS, [person(1, "Hoa", otnTopics=[])])
    assert await topics({"anyOf": ["sinh nhat", "hang moi ve"]}) == {}
