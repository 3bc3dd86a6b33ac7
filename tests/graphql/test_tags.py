"""Tags and folders: create, rename, move, delete in use, defaults, tagging in bulk (T1–T4)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from strawberry.relay import to_base64

from domain.tag import DEFAULT_TAG_FOLDERS
from infra import tables as t
from tests.conftest import OTHER_SHOP_ID, GraphQL
from tests.factories import make_customer, make_page, make_subscriber, make_tag, make_thread

FOLDER_CREATE = """
mutation($input: TagFolderCreateInput!) {
  tagFolderCreate(input: $input) { folder { id name page { name } } userErrors { field message code } }
}
"""
TAG_CREATE = """
mutation($input: TagCreateInput!) {
  tagCreate(input: $input) {
    tag { id name color isSocial folder { name } page { name } }
    userErrors { field message code }
  }
}
"""
TAG_UPDATE = """
mutation($input: TagUpdateInput!) {
  tagUpdate(input: $input) { tag { name color folder { name } } userErrors { field code } }
}
"""
TAG_DELETE = """
mutation($input: TagDeleteInput!) {
  tagDelete(input: $input) { deletedId removedTaggings userErrors { field message code } }
}
"""
FOLDER_DELETE = """
mutation($input: TagFolderDeleteInput!) {
  tagFolderDelete(input: $input) { deletedId userErrors { code } }
}
"""
TAG_ADD = """
mutation($input: TaggingInput!) {
  tagAdd(input: $input) { changed userErrors { field message code } }
}
"""
TAG_REMOVE = """
mutation($input: TaggingInput!) {
  tagRemove(input: $input) { changed userErrors { field message code } }
}
"""
DEFAULTS = """
mutation($input: TagDefaultsInstallInput!) {
  tagDefaultsInstall(input: $input) { added userErrors { field code } }
}
"""


def gid(type_name: str, value: int) -> str:
    return to_base64(type_name, value)


async def count(session: AsyncSession, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for key, value in where.items():
        query = query.where(table.c[key] == value)
    return int((await session.scalar(query)) or 0)


@pytest.mark.spec("T1", "T2")
async def test_create_a_folder_and_a_social_tag_in_it(gql: GraphQL, session: AsyncSession) -> None:
    page = await make_page(session, name="Trang Áo")
    folder = await gql(FOLDER_CREATE, {"input": {"name": "Hỏi giá", "pageId": gid("Page", page)}})
    payload = folder["data"]["tagFolderCreate"]
    assert payload["userErrors"] == []
    assert payload["folder"]["page"] == {"name": "Trang Áo"}

    body = await gql(
        TAG_CREATE,
        {
            "input": {
                "name": "  Đang   cân nhắc ",
                "pageId": gid("Page", page),
                "folderId": payload["folder"]["id"],
                "color": "#ff8800",
            }
        },
    )
    created = body["data"]["tagCreate"]
    assert created["userErrors"] == []
    assert created["tag"]["name"] == "Đang cân nhắc"
    assert created["tag"]["isSocial"] is True
    assert created["tag"]["folder"] == {"name": "Hỏi giá"}


@pytest.mark.spec("T2")
async def test_tag_names_are_unique_per_page_and_folders_keep_their_scope(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    other_page = await make_page(session)
    await make_tag(session, page_id=page, name="Hết hàng")
    commerce_folder = await gql(FOLDER_CREATE, {"input": {"name": "Khách sỉ"}})
    folder_id = commerce_folder["data"]["tagFolderCreate"]["folder"]["id"]

    duplicate = await gql(TAG_CREATE, {"input": {"name": "Hết hàng", "pageId": gid("Page", page)}})
    assert duplicate["data"]["tagCreate"]["userErrors"][0]["code"] == "DUPLICATE"
    same_name_other_page = await gql(
        TAG_CREATE, {"input": {"name": "Hết hàng", "pageId": gid("Page", other_page)}}
    )
    assert same_name_other_page["data"]["tagCreate"]["userErrors"] == []
    wrong_folder = await gql(
        TAG_CREATE,
        {"input": {"name": "Mới", "pageId": gid("Page", page), "folderId": folder_id}},
    )
    error = wrong_folder["data"]["tagCreate"]["userErrors"][0]
    assert (error["field"], error["code"]) == ("input.folderId", "INVALID")
    empty = await gql(TAG_CREATE, {"input": {"name": "   "}})
    assert empty["data"]["tagCreate"]["userErrors"][0]["field"] == "input.name"
    assert await count(session, t.tag, name="Mới") == 0


@pytest.mark.spec("T1", "T2")
async def test_rename_and_move_a_tag_between_folders(gql: GraphQL, session: AsyncSession) -> None:
    first = await gql(FOLDER_CREATE, {"input": {"name": "A"}})
    second = await gql(FOLDER_CREATE, {"input": {"name": "B"}})
    a_id = first["data"]["tagFolderCreate"]["folder"]["id"]
    b_id = second["data"]["tagFolderCreate"]["folder"]["id"]
    tag = await gql(TAG_CREATE, {"input": {"name": "VIP", "folderId": a_id}})
    tag_id = tag["data"]["tagCreate"]["tag"]["id"]

    moved = await gql(TAG_UPDATE, {"input": {"id": tag_id, "name": "Khách VIP", "folderId": b_id}})
    assert moved["data"]["tagUpdate"] == {
        "tag": {"name": "Khách VIP", "color": None, "folder": {"name": "B"}},
        "userErrors": [],
    }
    unfiled = await gql(TAG_UPDATE, {"input": {"id": tag_id, "unfile": True}})
    assert unfiled["data"]["tagUpdate"]["tag"]["folder"] is None

    await gql(TAG_UPDATE, {"input": {"id": tag_id, "folderId": b_id}})
    deleted = await gql(FOLDER_DELETE, {"input": {"id": b_id}})
    assert deleted["data"]["tagFolderDelete"]["userErrors"] == []
    assert await count(session, t.tag, name="Khách VIP") == 1


@pytest.mark.spec("T1")
async def test_a_tag_in_use_is_deleted_only_with_force(gql: GraphQL, session: AsyncSession) -> None:
    tag = await make_tag(session, name="Mua sỉ")
    customer = await make_customer(session)
    await session.execute(
        t.customer_tag.insert().values(shop_id=1, customer_id=customer, tag_id=tag)
    )

    refused = await gql(TAG_DELETE, {"input": {"id": gid("Tag", tag)}})
    payload = refused["data"]["tagDelete"]
    assert payload["deletedId"] is None
    assert payload["userErrors"][0]["code"] == "IN_USE"
    assert await count(session, t.tag, id=tag) == 1

    forced = await gql(TAG_DELETE, {"input": {"id": gid("Tag", tag), "force": True}})
    assert forced["data"]["tagDelete"]["removedTaggings"] == 1
    assert await count(session, t.tag, id=tag) == 0
    assert await count(session, t.customer_tag, customer_id=customer) == 0


@pytest.mark.spec("T2")
async def test_defaults_install_once_and_again_adds_nothing(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    expected = sum(len(names) for _, names in DEFAULT_TAG_FOLDERS)

    first = await gql(DEFAULTS, {"input": {"pageId": gid("Page", page)}})
    again = await gql(DEFAULTS, {"input": {"pageId": gid("Page", page)}})

    assert first["data"]["tagDefaultsInstall"] == {"added": expected, "userErrors": []}
    assert again["data"]["tagDefaultsInstall"] == {"added": 0, "userErrors": []}
    assert await count(session, t.tag_folder, page_id=page) == 3
    assert await count(session, t.tag, page_id=page) == expected
    missing = await gql(DEFAULTS, {"input": {"pageId": gid("Page", 999999)}})
    assert missing["data"]["tagDefaultsInstall"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.spec("T3", "T1")
async def test_tag_many_threads_and_subscribers_in_bulk(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    subs = [await make_subscriber(session, page_id=page) for _ in range(3)]
    threads = [await make_thread(session, page_id=page, subscriber_id=s) for s in subs]
    tags = [await make_tag(session, page_id=page, name=n) for n in ("Hết hàng", "Giá cao")]
    tag_ids = [gid("Tag", x) for x in tags]

    added = await gql(
        TAG_ADD, {"input": {"tagIds": tag_ids, "threadIds": [gid("Thread", x) for x in threads]}}
    )
    assert added["data"]["tagAdd"] == {"changed": 6, "userErrors": []}
    again = await gql(
        TAG_ADD, {"input": {"tagIds": tag_ids, "threadIds": [gid("Thread", threads[0])]}}
    )
    assert again["data"]["tagAdd"]["changed"] == 0

    subscribers = await gql(
        TAG_ADD, {"input": {"tagIds": tag_ids[:1], "subscriberIds": [gid("Subscriber", subs[0])]}}
    )
    assert subscribers["data"]["tagAdd"]["changed"] == 1

    removed = await gql(
        TAG_REMOVE,
        {"input": {"tagIds": tag_ids[:1], "threadIds": [gid("Thread", x) for x in threads]}},
    )
    assert removed["data"]["tagRemove"]["changed"] == 3
    assert await count(session, t.thread_tag, tag_id=tags[1]) == 3
    assert await count(session, t.thread_tag, tag_id=tags[0]) == 0


@pytest.mark.spec("T2", "T3")
async def test_a_tag_of_the_wrong_scope_is_refused_and_nothing_is_tagged(
    gql: GraphQL, session: AsyncSession
) -> None:
    page, other_page = await make_page(session), await make_page(session)
    sub = await make_subscriber(session, page_id=page)
    thread = await make_thread(session, page_id=page, subscriber_id=sub)
    own = await make_tag(session, page_id=page)
    foreign = await make_tag(session, page_id=other_page)
    commerce = await make_tag(session)
    customer = await make_customer(session)

    cases = [
        {"tagIds": [gid("Tag", own), gid("Tag", foreign)], "threadIds": [gid("Thread", thread)]},
        {"tagIds": [gid("Tag", commerce)], "subscriberIds": [gid("Subscriber", sub)]},
        {"tagIds": [gid("Tag", own)], "customerIds": [gid("Customer", customer)]},
    ]
    for case in cases:
        body = await gql(TAG_ADD, {"input": case})
        payload = body["data"]["tagAdd"]
        assert payload["changed"] == 0
        assert payload["userErrors"][0]["code"] == "INVALID", payload
        assert payload["userErrors"][0]["field"] == "input.tagIds"

    ok = await gql(
        TAG_ADD,
        {"input": {"tagIds": [gid("Tag", commerce)], "customerIds": [gid("Customer", customer)]}},
    )
    assert ok["data"]["tagAdd"] == {"changed": 1, "userErrors": []}
    assert await count(session, t.thread_tag, thread_id=thread) == 0
    assert await count(session, t.subscriber_tag, subscriber_id=sub) == 0


async def test_unknown_ids_and_ambiguous_targets_are_typed_errors(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    tag = await make_tag(session, page_id=page)
    other_shop_customer = await make_customer(session, shop_id=OTHER_SHOP_ID)
    customer = await make_customer(session)

    unknown = await gql(TAG_ADD, {"input": {"tagIds": [gid("Tag", 987654)], "customerIds": []}})
    assert unknown["data"]["tagAdd"]["userErrors"][0]["code"] == "NOT_FOUND"
    other_shop = await gql(
        TAG_ADD,
        {
            "input": {
                "tagIds": [gid("Tag", tag)],
                "customerIds": [gid("Customer", other_shop_customer)],
            }
        },
    )
    assert other_shop["data"]["tagAdd"]["userErrors"][0]["field"] == "input.customerIds"
    both = await gql(
        TAG_ADD,
        {"input": {"tagIds": [], "customerIds": [gid("Customer", customer)], "threadIds": []}},
    )
    assert both["data"]["tagAdd"]["userErrors"][0]["field"] == "input"
    wrong_type = await gql(TAG_ADD, {"input": {"tagIds": [gid("Page", page)], "customerIds": []}})
    assert wrong_type["data"]["tagAdd"]["userErrors"][0]["field"] == "input.tagIds.0"


@pytest.mark.spec("T3")
async def test_tagging_a_hundred_threads_is_one_statement(
    gql: GraphQL, session: AsyncSession, connection: AsyncConnection
) -> None:
    page = await make_page(session)
    sub = await make_subscriber(session, page_id=page)
    threads = [await make_thread(session, page_id=page, subscriber_id=sub) for _ in range(100)]
    tag = await make_tag(session, page_id=page)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "thread_tag" in statement:
            statements.append(statement)

    sync_engine = connection.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        body = await gql(
            TAG_ADD,
            {
                "input": {
                    "tagIds": [gid("Tag", tag)],
                    "threadIds": [gid("Thread", x) for x in threads],
                }
            },
        )
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    assert body["data"]["tagAdd"]["changed"] == 100
    assert len(statements) == 1
