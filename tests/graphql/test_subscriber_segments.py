"""Segments of subscribers (S9): the seed's subscriber filter saved as a segment, previewed,
kept up to date as subscribers are written, and refused where it does not fit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import GlobalID

from infra import tables as t
from tests.conftest import FIXED_NOW, GraphQL
from tests.factories import (
    make_customer,
    make_page,
    make_subscriber,
    make_tag,
    store_segment_members,
)
from tests.graphql.test_ingest_commerce import upsert
from tests.graphql.test_ingest_social import DEFINE, SUBSCRIBERS, person
from tests.graphql.test_tags import TAG_ADD, TAG_REMOVE, gid
from tests.integration.test_segment_events import segment_events as _events

CREATE = """
mutation Create($input: SegmentCreateInput!) {
  segmentCreate(input: $input) {
    segment {
      id list memberCount definitionInput
      subscribers(first: 10) { totalCount nodes { fullName } }
    }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: SegmentUpdateInput!) {
  segmentUpdate(input: $input) {
    segment { memberCount subscribers { nodes { fullName } } }
    userErrors { field code }
  }
}
"""

PREVIEW = """
query Preview($definition: GroupInput!, $list: ListKind!) {
  segmentPreview(definition: $definition, list: $list) {
    count
    subscribers { fullName }
    conditions { field count }
    exclusions { field count }
  }
}
"""

CREATE_ID = """
mutation($input: SegmentCreateInput!) { segmentCreate(input: $input) { segment { id } } }
"""

LISTED = """
query Listed($list: ListKind) { segments(list: $list) { nodes { list memberCount } } }
"""

MEMBERS_OF = """
query Members($id: ID!) { node(id: $id) { ... on Segment { members { totalCount } } } }
"""

# The seed's example: the phone custom field has a value; or came from the 11.11 campaign
# (any case); not the shop's own test accounts.
DEFINITION = {
    "include": [
        {"customField": [{"key": "so_di_dong", "text": {"hasValue": True}}]},
        {"utmCampaign": {"equals": "SALE-11-11"}},
    ],
    "exclude": [{"fullName": {"contains": "thử"}}],
}


async def _subscribers(gql: GraphQL, session: AsyncSession) -> None:
    body = await gql(
        DEFINE, {"input": {"key": "so_di_dong", "label": "Số di động", "type": "PHONE"}}
    )
    assert body["data"]["customFieldDefine"]["userErrors"] == []
    await make_page(session, external_id="fb-1")
    phone = [{"key": "so_di_dong", "value": "0123 456 7890"}]
    result = await upsert(
        gql,
        SUBSCRIBERS,
        [
            person(1, "Hoa", customFields=phone),
            person(2, "Lan"),
            person(3, "Mai", utmCampaign="sale-11-11"),
            person(4, "Tài khoản thử", customFields=phone),
        ],
    )
    assert result["itemErrors"] == []


@pytest.mark.spec("S9", "S6", "S8", "X3", "G1")
async def test_a_subscriber_filter_saved_as_a_segment(gql: GraphQL, session: AsyncSession) -> None:
    await _subscribers(gql, session)
    body = await gql(
        CREATE,
        {"input": {"name": "Có số di động", "list": "SUBSCRIBERS", "definition": DEFINITION}},
    )
    assert "errors" not in body, body
    payload = body["data"]["segmentCreate"]
    assert payload["userErrors"] == []
    segment = payload["segment"]
    assert segment["list"] == "SUBSCRIBERS"
    assert segment["memberCount"] == 2
    assert sorted(n["fullName"] for n in segment["subscribers"]["nodes"]) == ["Hoa", "Mai"]
    assert segment["subscribers"]["totalCount"] == 2
    by_name = await gql(
        "query($id: ID!) { node(id: $id) { ... on Segment {"
        " subscribers(orderBy: {by: NAME, direction: ASC}) { nodes { fullName } } } } }",
        {"id": segment["id"]},
    )
    assert by_name["data"]["node"]["subscribers"]["nodes"] == [
        {"fullName": "Hoa"},
        {"fullName": "Mai"},
    ]
    await store_segment_members(session, FIXED_NOW)
    stored = select(func.count()).select_from(t.segment_subscriber)
    assert await session.scalar(stored) == 2
    assert await session.scalar(select(func.count()).select_from(t.segment_member)) == 0

    # A subscriber written through the partner API enters, with an event naming it.
    written = await upsert(
        gql,
        SUBSCRIBERS,
        [person(2, "Lan", customFields=[{"key": "so_di_dong", "value": "0912 000 111"}])],
    )
    lan = _local(written["results"][0]["id"])
    assert await _events(session) == [
        ("segment.member_entered", {"segment_id": _local(segment["id"]), "subscriber_id": lan})
    ]

    # The definition comes back as the input it was written as; sending it back keeps it.
    assert segment["definitionInput"] == DEFINITION
    same = await gql(UPDATE, {"input": {"id": segment["id"], "definition": DEFINITION}})
    assert same["data"]["segmentUpdate"]["segment"]["memberCount"] == 3
    narrowed = {**DEFINITION, "include": DEFINITION["include"][1:]}
    body = await gql(UPDATE, {"input": {"id": segment["id"], "definition": narrowed}})
    assert body["data"]["segmentUpdate"]["segment"] == {
        "memberCount": 1,
        "subscribers": {"nodes": [{"fullName": "Mai"}]},
    }
    await store_segment_members(session, FIXED_NOW)
    left = [kind for kind, _ in await _events(session)]
    assert left.count("segment.member_left") == 2

    listed = await gql(LISTED, {"list": "SUBSCRIBERS"})
    assert listed["data"]["segments"]["nodes"] == [{"list": "SUBSCRIBERS", "memberCount": 1}]
    assert (await gql(LISTED, {"list": "CUSTOMERS"}))["data"]["segments"]["nodes"] == []

    # Customers of a subscriber segment: a clear error naming the field to ask for.
    wrong = await gql(MEMBERS_OF, {"id": segment["id"]})
    assert wrong["errors"][0]["message"] == (
        "This segment holds subscribers; ask for `subscribers` instead."
    )
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.spec("S9", "X3")
async def test_a_subscriber_definition_previewed(gql: GraphQL, session: AsyncSession) -> None:
    await _subscribers(gql, session)
    body = await gql(PREVIEW, {"definition": DEFINITION, "list": "SUBSCRIBERS"})
    assert "errors" not in body, body
    preview = body["data"]["segmentPreview"]
    assert preview["count"] == 2
    assert sorted(s["fullName"] for s in preview["subscribers"]) == ["Hoa", "Mai"]
    assert preview["conditions"] == [
        {"field": "definition.include.0.customField", "count": 2},
        {"field": "definition.include.1.utmCampaign", "count": 1},
    ]
    assert preview["exclusions"] == [{"field": "definition.exclude.0", "count": 1}]


@pytest.mark.spec("S9", "X4")
async def test_subscriber_segments_refuse_what_does_not_fit(
    gql: GraphQL, session: AsyncSession
) -> None:
    await _subscribers(gql, session)
    members = await gql(
        CREATE, {"input": {"name": "Thành viên", "list": "MEMBERS", "definition": {}}}
    )
    assert members["data"]["segmentCreate"]["userErrors"] == [
        {
            "field": "input.list",
            "message": "A segment holds customers or subscribers; for members, make a customer "
            "segment with `registeredMember: true`.",
            "code": "INVALID",
        }
    ]
    unknown = {"include": [{"customField": [{"key": "khong_co", "text": {"hasValue": True}}]}]}
    body = await gql(
        CREATE, {"input": {"name": "Sai", "list": "SUBSCRIBERS", "definition": unknown}}
    )
    assert body["data"]["segmentCreate"]["userErrors"][0]["field"] == (
        "input.definition.include.0.customField.0.key"
    )
    assert await session.scalar(select(func.count()).select_from(t.segment)) == 0

    preview = await gql(PREVIEW, {"definition": {}, "list": "MEMBERS"})
    assert preview["data"] is None
    assert preview["errors"][0]["extensions"]["field"] == "list"

    # A customer segment's subscribers: the same kind of error the other way round.
    created = await gql(CREATE_ID, {"input": {"name": "Khách", "definition": {}}})
    segment_id = created["data"]["segmentCreate"]["segment"]["id"]
    wrong = await gql(
        "query($id: ID!) { node(id: $id) { ... on Segment { subscribers { totalCount } } } }",
        {"id": segment_id},
    )
    assert wrong["errors"][0]["message"] == (
        "This segment holds customers; ask for `members` instead."
    )


def _local(global_id: str) -> int:
    return int(GlobalID.from_id(global_id).node_id)


@pytest.mark.spec("X3", "T1", "S9")
async def test_tagging_moves_segment_members_at_once(gql: GraphQL, session: AsyncSession) -> None:
    """tagAdd / tagRemove refresh the segments of the customers or subscribers they tag, so
    the membership events follow without waiting for the scheduled pass."""
    page = await make_page(session, external_id="fb-1")
    vip = await make_tag(session, name="VIP")
    asking = await make_tag(session, name="Hỏi giá", page_id=page)
    customer = await make_customer(session, full_name="Chị Hoa")
    subscriber = await make_subscriber(session, page_id=page, full_name="Hoa")
    created = {}
    for name, kind, tag in (
        ("Khách VIP", "CUSTOMERS", "VIP"),
        ("Đang hỏi giá", "SUBSCRIBERS", "Hỏi giá"),
    ):
        body = await gql(
            CREATE_ID,
            {
                "input": {
                    "name": name,
                    "list": kind,
                    "definition": {"include": [{"tag": {"anyOf": [tag]}}]},
                }
            },
        )
        created[kind] = _local(body["data"]["segmentCreate"]["segment"]["id"])
    await store_segment_members(session, FIXED_NOW)

    async def tagging(document: str, owners: dict[str, list[str]], tag: str) -> None:
        body = await gql(document, {"input": {**owners, "tagIds": [tag]}})
        assert next(iter(body["data"].values()))["userErrors"] == []

    await tagging(TAG_ADD, {"customerIds": [gid("Customer", customer)]}, gid("Tag", vip))
    await tagging(TAG_ADD, {"subscriberIds": [gid("Subscriber", subscriber)]}, gid("Tag", asking))
    await tagging(TAG_REMOVE, {"customerIds": [gid("Customer", customer)]}, gid("Tag", vip))
    assert await _events(session) == [
        ("segment.member_entered", {"segment_id": created["CUSTOMERS"], "customer_id": customer}),
        (
            "segment.member_entered",
            {"segment_id": created["SUBSCRIBERS"], "subscriber_id": subscriber},
        ),
        ("segment.member_left", {"segment_id": created["CUSTOMERS"], "customer_id": customer}),
    ]
