"""Relay connections: paging with cursors, totalCount, page-size limit, global ids."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import OTHER_SHOP_ID, GraphQL
from tests.factories import (
    make_customer,
    make_member,
    make_page,
    make_subscriber,
    make_tag,
    make_thread,
)

pytestmark = pytest.mark.spec("X4")

PAGE = """
query Page($first: Int, $after: String) {
  customers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id fullName } }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    ... on Customer { fullName member { memberCode points { available used pending } } }
    ... on Member { memberCode customer { fullName } }
  }
}
"""

EVERY_LIST = """
query {
  customers { totalCount }
  members { totalCount }
  subscribers { totalCount nodes { fullName page { name channel } } }
  threads { totalCount nodes { channel page { name } subscriber { fullName } } }
  pages { totalCount }
  tagFolders { totalCount }
  tags { totalCount nodes { name isSocial } }
}
"""


async def test_pages_walk_the_whole_list_newest_first(gql: GraphQL, session: AsyncSession) -> None:
    ids = [await make_customer(session, full_name=f"Khách {i}") for i in range(5)]

    seen: list[str] = []
    after = None
    while True:
        body = await gql(PAGE, {"first": 2, "after": after})
        assert "errors" not in body, body
        conn = body["data"]["customers"]
        assert conn["totalCount"] == 5
        seen += [e["node"]["fullName"] for e in conn["edges"]]
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]

    assert seen == [f"Khách {i}" for i in reversed(range(5))]
    assert len(ids) == 5


EDGES = """
query Edges($after: String) {
  customers(first: 3, after: $after) {
    pageInfo { startCursor endCursor }
    edges { cursor node { fullName } }
    nodes { fullName }
  }
}
"""


async def test_each_edge_cursor_resumes_the_list_after_its_row(
    gql: GraphQL, session: AsyncSession
) -> None:
    for i in range(5):
        await make_customer(session, full_name=f"Khách {i}")

    first = (await gql(EDGES))["data"]["customers"]
    edges = first["edges"]
    assert [e["node"] for e in edges] == first["nodes"]
    assert first["pageInfo"] == {
        "startCursor": edges[0]["cursor"],
        "endCursor": edges[-1]["cursor"],
    }
    resumed = [
        (await gql(EDGES, {"after": e["cursor"]}))["data"]["customers"]["nodes"] for e in edges
    ]
    assert resumed == [
        [{"fullName": f"Khách {i}"} for i in (3, 2, 1)],
        [{"fullName": f"Khách {i}"} for i in (2, 1, 0)],
        [{"fullName": f"Khách {i}"} for i in (1, 0)],
    ]


async def test_page_size_above_100_is_a_clear_error(gql: GraphQL, shop: int) -> None:
    body = await gql(PAGE, {"first": 101})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert "between 0 and 100" in error["message"]


async def test_negative_page_size_and_bad_cursor_are_refused(gql: GraphQL, shop: int) -> None:
    negative = await gql(PAGE, {"first": -1})
    assert negative["errors"][0]["extensions"]["field"] == "first"
    bad = await gql(PAGE, {"first": 5, "after": "garbage!"})
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_node_resolves_global_ids_within_the_shop_only(
    gql: GraphQL, session: AsyncSession
) -> None:
    customer_id = await make_customer(session, full_name="Trần Thị Bích")
    await make_member(session, customer_id=customer_id, member_code="VIP-001")
    foreign = await make_customer(session, shop_id=OTHER_SHOP_ID, full_name="Ngoài Shop")

    listing = await gql(PAGE, {"first": 1})
    global_id = listing["data"]["customers"]["edges"][0]["node"]["id"]
    body = await gql(NODE, {"id": global_id})
    assert body["data"]["node"] == {
        "__typename": "Customer",
        "fullName": "Trần Thị Bích",
        "member": {"memberCode": "VIP-001", "points": {"available": 0, "used": 0, "pending": 0}},
    }

    import base64

    foreign_id = base64.b64encode(f"Customer:{foreign}".encode()).decode()
    assert (await gql(NODE, {"id": foreign_id}))["data"]["node"] is None
    garbage = await gql(NODE, {"id": "not-a-global-id"})
    assert garbage["data"] is None or garbage["data"]["node"] is None
    assert "errors" in garbage


async def test_every_foundation_list_answers(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session, name="Shop Thời Trang", channel="zalo")
    subscriber = await make_subscriber(session, page_id=page, full_name="Lê Văn Tám")
    await make_thread(session, page_id=page, subscriber_id=subscriber, channel="zalo")
    await make_tag(session, name="VIP")
    await make_tag(session, name="Hết hàng", page_id=page)

    body = await gql(EVERY_LIST)
    assert "errors" not in body, body
    data = body["data"]
    assert data["subscribers"]["nodes"] == [
        {"fullName": "Lê Văn Tám", "page": {"name": "Shop Thời Trang", "channel": "ZALO"}}
    ]
    assert data["threads"]["nodes"] == [
        {
            "channel": "ZALO",
            "page": {"name": "Shop Thời Trang"},
            "subscriber": {"fullName": "Lê Văn Tám"},
        }
    ]
    assert sorted((n["name"], n["isSocial"]) for n in data["tags"]["nodes"]) == [
        ("Hết hàng", True),
        ("VIP", False),
    ]
