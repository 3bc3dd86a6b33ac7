"""Text kept in a btree index is bounded so that PostgreSQL takes any character (X4, X5).

A btree entry holds at most 2,704 bytes, and a character of UTF-8 takes up to four: a SKU
or a page's id of 700 emoji was an internal error, and a full name, province, district,
member code, platform user id or UTM campaign of that size an item error that blamed
"stored data" and named an index. Each now has a length whose worst case fits, refused
on its own field beyond it and saved up to it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from tests.conftest import GraphQL
from tests.factories import make_page
from tests.graphql.test_ingest_commerce import CUSTOMERS, MEMBERS, ORDERS, upsert
from tests.graphql.test_ingest_social import SUBSCRIBERS

PAGE_CONNECT = """
mutation($externalId: String!) {
  pageConnect(input: {channel: ZALO, externalId: $externalId, name: "Zalo OA"}) {
    page { id }
    userErrors { field code message }
  }
}
"""


def emoji(count: int, seed: int) -> str:
    """``count`` characters of four bytes each, varied so that no compression shrinks them."""
    chosen = random.Random(seed)
    return "".join(chr(chosen.randint(0x1F300, 0x1F6FF)) for _ in range(count))


def fields(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["itemErrors"]]


@pytest.mark.spec("X4", "X5", "L1")
async def test_customer_member_and_order_text_of_four_byte_characters(
    gql: GraphQL, session: AsyncSession
) -> None:
    at_most = {"fullName": emoji(500, 1), "province": emoji(500, 2), "district": emoji(500, 3)}
    over = {"fullName": emoji(501, 4), "province": emoji(501, 5), "district": emoji(501, 6)}
    items = [{"externalId": "k1", **at_most}] + [
        {"externalId": f"k{2 + i}", name: value} for i, (name, value) in enumerate(over.items())
    ]
    customers = await upsert(gql, CUSTOMERS, items)
    assert [r["externalId"] for r in customers["results"]] == ["k1"]
    assert fields(customers) == [
        ("items.1.fullName", "INVALID"),
        ("items.2.province", "INVALID"),
        ("items.3.district", "INVALID"),
    ]

    def member(key: str, code: str) -> dict[str, Any]:
        since = "2026-01-01T00:00:00Z"
        return {
            "externalId": key,
            "customerExternalId": "k1",
            "memberCode": code,
            "memberSince": since,
        }

    members = await upsert(gql, MEMBERS, [member("m1", emoji(200, 7)), member("m2", emoji(201, 8))])
    assert [r["externalId"] for r in members["results"]] == ["m1"]
    assert fields(members) == [("items.1.memberCode", "INVALID")]

    def order(key: str, sku: str) -> dict[str, Any]:
        return {
            "externalId": key,
            "customerExternalId": "k1",
            "channel": "WEB",
            "placedAt": "2026-11-01T10:00:00Z",
            "totalAmount": "100000",
            "lines": [{"sku": sku, "quantity": 1, "amount": "100000"}],
        }

    orders = await upsert(gql, ORDERS, [order("o1", emoji(200, 9)), order("o2", emoji(700, 10))])
    assert [r["externalId"] for r in orders["results"]] == ["o1"]
    assert fields(orders) == [("items.1.lines.0.sku", "INVALID")]
    assert await session.scalar(select(func.count()).select_from(t.product)) == 1


@pytest.mark.spec("X4", "X5", "T2")
async def test_page_and_subscriber_keys_of_four_byte_characters(
    gql: GraphQL, session: AsyncSession
) -> None:
    taken = await gql(PAGE_CONNECT, {"externalId": emoji(200, 11)})
    refused = await gql(PAGE_CONNECT, {"externalId": emoji(700, 12)})
    assert taken["data"]["pageConnect"]["userErrors"] == []
    assert [(e["field"], e["code"]) for e in refused["data"]["pageConnect"]["userErrors"]] == [
        ("input.externalId", "INVALID")
    ]

    await make_page(session, external_id="fb-1")

    def subscriber(key: str, **values: str) -> dict[str, Any]:
        return {"externalId": key, "pageExternalId": "fb-1", "platformUserId": key, **values}

    result = await upsert(
        gql,
        SUBSCRIBERS,
        [
            subscriber("s1", utmCampaign=emoji(500, 13)),
            subscriber("s2", utmCampaign=emoji(501, 14)),
            {**subscriber("s3"), "platformUserId": emoji(200, 15)},
            {**subscriber("s4"), "platformUserId": emoji(201, 16)},
        ],
    )
    assert [r["externalId"] for r in result["results"]] == ["s1", "s3"]
    assert fields(result) == [
        ("items.1.utmCampaign", "INVALID"),
        ("items.3.platformUserId", "INVALID"),
    ]
