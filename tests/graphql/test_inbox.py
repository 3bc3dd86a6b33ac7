"""Merge mode and the merged inbox: rows by person, threads, tags, filters, batching (C1–C9, C11)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from domain.staff import Role
from infra import tables as t
from tests.conftest import GraphQL, TokenMaker
from tests.factories import T0, make_customer, make_page, make_subscriber, make_tag, make_thread

MERGE = """
mutation($input: InboxMergeModeSetInput!) {
  inboxMergeModeSet(input: $input) {
    settings { mergeMode canSwitchMergeMode mergedPages { name } }
    userErrors { field message code }
  }
}
"""
SETTINGS = "query { inboxSettings { mergeMode canSwitchMergeMode maxMergedPages } }"
INBOX = """
query($filter: InboxFilterInput, $first: Int, $after: String, $pageId: ID) {
  inbox(filter: $filter, first: $first, after: $after, pageId: $pageId) {
    pageInfo { hasNextPage endCursor }
    nodes {
      key lastMessageAt unreadThreadCount threadCount chatbotPaused avatarUrl
      tags { name }
      threads { pageInfo { hasNextPage endCursor } nodes { id channel chatbotPaused page { name } } }
    }
  }
}
"""
ROW_THREADS = """
query($after: String, $first: Int, $more: String) {
  inbox(first: 1, after: $after) {
    nodes { key tags(all: true) { name } threads(first: $first, after: $more) {
      pageInfo { hasNextPage endCursor } nodes { lastMessageAt } } }
  }
}
"""
INBOX_TAGS = "query { inboxTags { page { name } tags { name } } }"


def gid(name: str, value: int) -> str:
    return to_base64(name, value)


async def merge(gql: GraphQL, pages: list[int], token: str | None = None) -> dict[str, Any]:
    body = await gql(
        MERGE,
        {"input": {"enabled": True, "pageIds": [gid("Page", p) for p in pages]}},
        as_token=token,
    )
    return dict(body["data"]["inboxMergeModeSet"])


@pytest.mark.spec("C1")
async def test_merge_one_to_twenty_pages_and_twenty_one_is_refused(
    gql: GraphQL, session: AsyncSession
) -> None:
    pages = [await make_page(session, name=f"Trang {i:02d}") for i in range(21)]
    one = await merge(gql, pages[:1])
    assert one["userErrors"] == []
    assert one["settings"]["mergedPages"] == [{"name": "Trang 00"}]
    twenty = await merge(gql, pages[:20])
    assert len(twenty["settings"]["mergedPages"]) == 20
    too_many = await merge(gql, pages)
    assert too_many["settings"] is None
    assert too_many["userErrors"][0]["code"] == "LIMIT_EXCEEDED"
    assert len((await merge(gql, []))["userErrors"]) == 1
    settings = await gql("query { inboxSettings { mergedPages { name } } }")
    assert len(settings["data"]["inboxSettings"]["mergedPages"]) == 20


@pytest.mark.spec("C11")
@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix_of_merge_mode(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker, role: Role
) -> None:
    allowed = role in {
        Role.OWNER,
        Role.SOCIAL_ADMIN,
        Role.CHAT_STAFF,
        Role.DEFAULT,
        Role.DEFAULT_ADVANCED,
    }
    page = await make_page(session)
    as_role = await make_token(role)
    payload = await merge(gql, [page], as_role)
    settings = (await gql(SETTINGS, as_token=as_role))["data"]["inboxSettings"]
    assert settings["canSwitchMergeMode"] is allowed
    assert settings["mergeMode"] is allowed
    if allowed:
        assert payload["userErrors"] == []
    else:
        assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]


async def seed_people(session: AsyncSession) -> dict[str, Any]:
    """Two pages; Lan has a Facebook, a Zalo and an Instagram thread, matched to one customer."""
    fb = await make_page(session, name="FB Shop", channel="facebook")
    zalo = await make_page(session, name="Zalo OA", channel="zalo")
    lan = await make_customer(session, full_name="Trần Thị Lan", phone="0912345678")
    s_fb = await make_subscriber(session, page_id=fb, avatar_url="fb.png", customer_id=lan)
    s_zalo = await make_subscriber(session, page_id=zalo, avatar_url="zalo.png", customer_id=lan)
    s_solo = await make_subscriber(session, page_id=zalo, avatar_url="solo.png")
    lan_zalo = await make_thread(
        session,
        page_id=zalo,
        subscriber_id=s_zalo,
        customer_id=lan,
        channel="zalo",
        last_message_at=T0 + timedelta(hours=5),
        unread_count=2,
        phone_normalized="0912345678",
    )
    lan_fb = await make_thread(
        session,
        page_id=fb,
        subscriber_id=s_fb,
        customer_id=lan,
        last_message_at=T0 + timedelta(hours=1),
        chatbot_paused=True,
        kind="comment",
    )
    solo = await make_thread(
        session,
        page_id=zalo,
        subscriber_id=s_solo,
        channel="zalo",
        last_message_at=T0 + timedelta(hours=3),
        unread_count=1,
        answered=True,
    )
    fb_tag = await make_tag(session, page_id=fb, name="Hết hàng")
    zalo_tag = await make_tag(session, page_id=zalo, name="Hết hàng")
    vip = await make_tag(session, page_id=zalo, name="Khách quen")
    for thread, tag in ((lan_zalo, zalo_tag), (lan_fb, fb_tag), (lan_zalo, vip)):
        await session.execute(insert(t.thread_tag).values(shop_id=1, thread_id=thread, tag_id=tag))
    return {
        "fb": fb,
        "zalo": zalo,
        "lan": lan,
        "solo": solo,
        "lan_fb": lan_fb,
        "lan_zalo": lan_zalo,
        "zalo_tag": zalo_tag,
        "vip": vip,
    }


@pytest.mark.spec("C2", "C4", "C5", "C6", "C8", "C9", "X1")
async def test_rows_group_threads_of_one_customer_across_pages(
    gql: GraphQL, session: AsyncSession
) -> None:
    ids = await seed_people(session)
    assert (await merge(gql, [ids["fb"], ids["zalo"]]))["userErrors"] == []

    body = await gql(INBOX)
    assert "errors" not in body, body
    rows = body["data"]["inbox"]["nodes"]
    assert [r["key"] for r in rows] == [f"c{ids['lan']}", f"t{ids['solo']}"]
    lan, solo = rows
    assert lan["threadCount"] == 2
    assert lan["unreadThreadCount"] == 1
    assert lan["chatbotPaused"] is True
    assert lan["avatarUrl"] == "fb.png"
    assert [tag["name"] for tag in lan["tags"]] == ["Hết hàng", "Khách quen"]
    threads = lan["threads"]["nodes"]
    assert [(th["channel"], th["page"]["name"], th["chatbotPaused"]) for th in threads] == [
        ("ZALO", "Zalo OA", False),
        ("FACEBOOK", "FB Shop", True),
    ]
    assert solo["avatarUrl"] == "solo.png"
    assert solo["chatbotPaused"] is False


@pytest.mark.spec("C7", "T4")
@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"channels": ["FACEBOOK"]}, ["lan"]),
        ({"channels": ["ZALO", "INSTAGRAM"]}, ["lan", "solo"]),
        ({"kind": "COMMENT"}, ["lan"]),
        ({"kind": "MESSAGE"}, ["lan", "solo"]),
        ({"unread": True}, ["lan", "solo"]),
        ({"unread": True, "unanswered": True}, ["lan"]),
        ({"unanswered": False}, ["solo"]),
        ({"hasPhone": True}, ["lan"]),
        ({"hasOrder": True}, []),
        ({"since": "2026-01-01T02:00:00Z", "until": "2026-01-01T04:00:00Z"}, ["solo"]),
        # Without an offset a time is UTC; with and without, they compare (it was a crash).
        ({"since": "2026-01-01T02:00:00", "until": "2026-01-01T11:00:00+07:00"}, ["solo"]),
        ({"tagIds": ["vip"]}, ["lan"]),
        ({"pageIds": ["fb"]}, ["lan"]),
        ({"assignedStaffIds": [424242]}, []),
    ],
)
async def test_filters_combine(
    gql: GraphQL, session: AsyncSession, filter: dict[str, Any], expected: list[str]
) -> None:
    ids = await seed_people(session)
    await merge(gql, [ids["fb"], ids["zalo"]])
    if "tagIds" in filter:
        filter = {**filter, "tagIds": [gid("Tag", ids[x]) for x in filter["tagIds"]]}
    if "pageIds" in filter:
        filter = {**filter, "pageIds": [gid("Page", ids[x]) for x in filter["pageIds"]]}
    body = await gql(INBOX, {"filter": filter})
    assert "errors" not in body, body
    keys = [r["key"] for r in body["data"]["inbox"]["nodes"]]
    assert keys == [f"c{ids['lan']}" if x == "lan" else f"t{ids['solo']}" for x in expected]


@pytest.mark.spec("C7")
async def test_bad_filters_and_missing_merge_mode_are_clear_errors(
    gql: GraphQL, session: AsyncSession
) -> None:
    ids = await seed_people(session)
    off = await gql(INBOX)
    assert off["errors"][0]["extensions"]["field"] == "pageId"
    one_page = await gql(INBOX, {"pageId": gid("Page", ids["zalo"])})
    assert len(one_page["data"]["inbox"]["nodes"]) == 2
    await merge(gql, [ids["fb"]])
    backwards = await gql(
        INBOX, {"filter": {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}}
    )
    assert backwards["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Year 1 at +07:00 is before the calendar in UTC: an internal error before.
    too_early = await gql(INBOX, {"filter": {"since": "0001-01-01T00:00:00+07:00"}})
    assert too_early["errors"][0]["extensions"]["field"] == "filter.since"
    assert "outside the calendar" in too_early["errors"][0]["message"]
    wrong_id = await gql(INBOX, {"filter": {"tagIds": [gid("Page", 1)]}})
    assert wrong_id["errors"][0]["extensions"]["field"] == "filter.tagIds.0"
    bad_cursor = await gql(INBOX, {"after": "nope"})
    assert bad_cursor["errors"][0]["extensions"]["field"] == "after"


@pytest.mark.spec("C7")
async def test_inbox_tags_are_grouped_by_merged_page(gql: GraphQL, session: AsyncSession) -> None:
    ids = await seed_people(session)
    await merge(gql, [ids["zalo"], ids["fb"]])
    body = await gql(INBOX_TAGS)
    assert body["data"]["inboxTags"] == [
        {"page": {"name": "FB Shop"}, "tags": [{"name": "Hết hàng"}]},
        {"page": {"name": "Zalo OA"}, "tags": [{"name": "Hết hàng"}, {"name": "Khách quen"}]},
    ]


@pytest.mark.spec("C3", "C5")
async def test_a_row_shows_three_threads_then_pages_of_thirty(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    customer = await make_customer(session)
    sub = await make_subscriber(session, page_id=page, customer_id=customer)
    for i in range(40):
        await make_thread(
            session,
            page_id=page,
            subscriber_id=sub,
            customer_id=customer,
            last_message_at=T0 + timedelta(minutes=i),
        )
    await merge(gql, [page])

    first = (await gql(ROW_THREADS))["data"]["inbox"]["nodes"][0]["threads"]
    assert len(first["nodes"]) == 3
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["nodes"][0]["lastMessageAt"] > first["nodes"][1]["lastMessageAt"]
    more = await gql(ROW_THREADS, {"first": 30, "more": first["pageInfo"]["endCursor"]})
    second = more["data"]["inbox"]["nodes"][0]["threads"]
    assert len(second["nodes"]) == 30
    assert second["nodes"][0]["lastMessageAt"] < first["nodes"][2]["lastMessageAt"]
    last = await gql(ROW_THREADS, {"first": 30, "more": second["pageInfo"]["endCursor"]})
    rest = last["data"]["inbox"]["nodes"][0]["threads"]
    assert (len(rest["nodes"]), rest["pageInfo"]["hasNextPage"]) == (7, False)
    too_many = await gql(ROW_THREADS, {"first": 31})
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.spec("C4")
async def test_rows_page_by_cursor_newest_activity_first(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    for i in range(7):
        sub = await make_subscriber(session, page_id=page)
        await make_thread(
            session, page_id=page, subscriber_id=sub, last_message_at=T0 + timedelta(hours=i % 3)
        )
    await merge(gql, [page])
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        body = await gql(INBOX, {"first": 3, "after": after})
        conn = body["data"]["inbox"]
        seen += [(r["lastMessageAt"], r["key"]) for r in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == 7
    assert len(set(seen)) == 7
    assert [s[0] for s in seen] == sorted((s[0] for s in seen), reverse=True)


@pytest.mark.spec("C2", "C3", "C5")
@pytest.mark.parametrize("people", [5, 30])
async def test_an_inbox_page_runs_a_constant_number_of_statements(
    gql: GraphQL, session: AsyncSession, sql_statements: Any, people: int
) -> None:
    pages = [await make_page(session) for _ in range(2)]
    for i in range(people):
        customer = await make_customer(session)
        for j, page in enumerate(pages * 2):
            sub = await make_subscriber(session, page_id=page, customer_id=customer)
            thread = await make_thread(
                session,
                page_id=page,
                subscriber_id=sub,
                customer_id=customer,
                last_message_at=T0 + timedelta(minutes=i * 10 + j),
            )
            tag = await make_tag(session, page_id=page)
            await session.execute(
                insert(t.thread_tag).values(shop_id=1, thread_id=thread, tag_id=tag)
            )
    await merge(gql, pages)
    sql_statements.statements.clear()

    body = await gql(INBOX, {"first": 30})

    assert "errors" not in body, body
    rows = body["data"]["inbox"]["nodes"]
    assert len(rows) == people
    assert all(len(r["threads"]["nodes"]) == 3 and len(r["tags"]) == 3 for r in rows)
    # merge settings, rows, summaries, newest threads, their tags, their pages (the token was
    # resolved by the merge request just before and is kept briefly)
    assert len(sql_statements.statements) == 6, sql_statements.statements

    # counts alone read no page: of the inbox, of each row's threads
    sql_statements.statements.clear()
    counted = await gql("{ inbox(first: 30) { totalCount } }")
    alone = len(sql_statements.statements)
    sql_statements.statements.clear()
    threads = await gql("{ inbox(first: 30) { nodes { key threads { totalCount } } } }")

    assert counted["data"]["inbox"]["totalCount"] == people
    assert alone == 2, sql_statements.statements  # merge settings, the count
    rows = threads["data"]["inbox"]["nodes"]
    assert [row["threads"]["totalCount"] for row in rows] == [4] * people
    # merge settings, rows, summaries: no newest threads, tags or pages
    assert len(sql_statements.statements) == 3, sql_statements.statements
