"""Thread actions: chatbot pause, read, assign, reply, channel capabilities, merge-mode refusals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from infra import tables as t
from tests.conftest import GraphQL
from tests.factories import make_page, make_subscriber, make_thread

PAUSE = """
mutation($input: ThreadChatbotPauseInput!) {
  threadChatbotPause(input: $input) { threads { chatbotPaused } userErrors { field code } }
}
"""
MARK_READ = """
mutation($input: ThreadsInput!) {
  threadMarkRead(input: $input) { threads { unreadCount } userErrors { field message code } }
}
"""
MARK_ALL = """
mutation($input: ThreadMarkAllReadInput!) {
  threadMarkAllRead(input: $input) { marked userErrors { field message code } }
}
"""
ASSIGN = """
mutation($input: ThreadAssignInput!) {
  threadAssign(input: $input) { threads { id } userErrors { field code } }
}
"""
REPLY = """
mutation($input: ThreadReplyInput!) {
  threadReply(input: $input) {
    thread { answered unreadCount lastMessageAt }
    message { type body sentAt }
    userErrors { field message code }
  }
}
"""
MERGE = """
mutation($input: InboxMergeModeSetInput!) {
  inboxMergeModeSet(input: $input) { userErrors { code } }
}
"""
TAG_ADD = """
mutation($input: TaggingInput!) { tagAdd(input: $input) { changed userErrors { field code } } }
"""
CAPABILITIES = """
query { channelCapabilities { channel messageTypes canCreateOrder syncsCustomerDetails } }
"""
VIEWER = "query { viewer { staffId } }"


def gid(name: str, value: int) -> str:
    return to_base64(name, value)


async def threads_on(
    session: AsyncSession, channel: str = "facebook", n: int = 2
) -> tuple[int, list[int]]:
    page = await make_page(session, channel=channel)
    sub = await make_subscriber(session, page_id=page)
    ids = [
        await make_thread(session, page_id=page, subscriber_id=sub, channel=channel, unread_count=3)
        for _ in range(n)
    ]
    return page, ids


async def thread_row(session: AsyncSession, thread_id: int) -> Any:
    return (await session.execute(select(t.thread).where(t.thread.c.id == thread_id))).one()


@pytest.mark.spec("C6")
async def test_pause_and_resume_the_chatbot_per_thread(gql: GraphQL, session: AsyncSession) -> None:
    _, (one, two) = await threads_on(session)
    paused = await gql(PAUSE, {"input": {"threadId": gid("Thread", one), "paused": True}})
    assert paused["data"]["threadChatbotPause"] == {
        "threads": [{"chatbotPaused": True}],
        "userErrors": [],
    }
    assert (await thread_row(session, two)).chatbot_paused is False
    resumed = await gql(PAUSE, {"input": {"threadId": gid("Thread", one), "paused": False}})
    assert resumed["data"]["threadChatbotPause"]["threads"] == [{"chatbotPaused": False}]
    missing = await gql(PAUSE, {"input": {"threadId": gid("Thread", 999999), "paused": True}})
    assert missing["data"]["threadChatbotPause"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.spec("C12")
async def test_merge_mode_refuses_mark_all_read_and_bulk_actions(
    gql: GraphQL, session: AsyncSession
) -> None:
    page, ids = await threads_on(session)
    selection = [gid("Thread", x) for x in ids]
    staff_id = (await gql(VIEWER))["data"]["viewer"]["staffId"]

    bulk = await gql(MARK_READ, {"input": {"threadIds": selection}})
    assert bulk["data"]["threadMarkRead"]["threads"] == [{"unreadCount": 0}, {"unreadCount": 0}]
    await session.execute(
        t.thread.update().where(t.thread.c.page_id == page).values(unread_count=3)
    )

    await gql(MERGE, {"input": {"enabled": True, "pageIds": [gid("Page", page)]}})
    refusals = [
        (MARK_READ, "threadMarkRead", {"threadIds": selection}),
        (ASSIGN, "threadAssign", {"threadIds": selection, "staffId": staff_id}),
        (MARK_ALL, "threadMarkAllRead", {"pageId": gid("Page", page)}),
    ]
    for document, name, variables in refusals:
        body = await gql(document, {"input": variables})
        assert body["data"][name]["userErrors"][0]["code"] == "CONFLICT", name
    rows = [await thread_row(session, x) for x in ids]
    assert [(r.unread_count, r.assigned_staff_id) for r in rows] == [(3, None), (3, None)]

    single = await gql(MARK_READ, {"input": {"threadIds": selection[:1]}})
    assert single["data"]["threadMarkRead"]["userErrors"] == []
    assign_one = await gql(ASSIGN, {"input": {"threadIds": selection[:1], "staffId": staff_id}})
    assert assign_one["data"]["threadAssign"]["userErrors"] == []
    assert (await thread_row(session, ids[0])).assigned_staff_id == staff_id

    await gql(MERGE, {"input": {"enabled": False}})
    marked = await gql(MARK_ALL, {"input": {"pageId": gid("Page", page)}})
    assert marked["data"]["threadMarkAllRead"] == {"marked": 1, "userErrors": []}


@pytest.mark.spec("C12", "T3")
async def test_tagging_several_threads_is_refused_in_merge_mode(
    gql: GraphQL, session: AsyncSession
) -> None:
    from tests.factories import make_tag

    page, ids = await threads_on(session)
    tag = await make_tag(session, page_id=page)
    await gql(MERGE, {"input": {"enabled": True, "pageIds": [gid("Page", page)]}})
    body = await gql(
        TAG_ADD,
        {"input": {"tagIds": [gid("Tag", tag)], "threadIds": [gid("Thread", x) for x in ids]}},
    )
    assert body["data"]["tagAdd"]["userErrors"][0]["code"] == "CONFLICT"


async def test_assign_to_an_unknown_staff_member_is_not_found(
    gql: GraphQL, session: AsyncSession
) -> None:
    _, ids = await threads_on(session, n=1)
    body = await gql(ASSIGN, {"input": {"threadIds": [gid("Thread", ids[0])], "staffId": 424242}})
    assert body["data"]["threadAssign"]["userErrors"] == [
        {"field": "input.staffId", "code": "NOT_FOUND"}
    ]


@pytest.mark.spec("C10")
async def test_a_reply_is_stored_and_answers_the_thread(
    gql: GraphQL, session: AsyncSession, now: Any
) -> None:
    _, (thread, _) = await threads_on(session, channel="zalo")
    body = await gql(REPLY, {"input": {"threadId": gid("Thread", thread), "body": " Dạ còn ạ "}})
    payload = body["data"]["threadReply"]
    assert payload["userErrors"] == []
    assert payload["message"]["type"] == "TEXT"
    assert payload["message"]["body"] == "Dạ còn ạ"
    assert payload["thread"]["answered"] is True
    assert payload["thread"]["unreadCount"] == 0
    assert payload["thread"]["lastMessageAt"].startswith("2026-11-23T03:00:00")
    stored = (await session.execute(select(t.message).where(t.message.c.thread_id == thread))).one()
    assert (stored.direction, stored.body) == ("out", "Dạ còn ạ")


@pytest.mark.spec("C10")
@pytest.mark.parametrize(
    ("kind", "accepted"),
    [("TEXT", True), ("IMAGE", True), ("EMOJI", True), ("STICKER", False), ("FILE", False)],
)
async def test_shopee_accepts_only_text_image_and_emoji(
    gql: GraphQL, session: AsyncSession, kind: str, accepted: bool
) -> None:
    _, (thread, _) = await threads_on(session, channel="shopee")
    body = await gql(
        REPLY,
        {
            "input": {
                "threadId": gid("Thread", thread),
                "type": kind,
                "body": "https://cdn.example.vn/x.png",
            }
        },
    )
    errors = body["data"]["threadReply"]["userErrors"]
    stored = await session.scalar(
        select(func.count()).select_from(t.message).where(t.message.c.thread_id == thread)
    )
    if accepted:
        assert errors == []
        assert stored == 1
    else:
        assert errors[0]["code"] == "UNSUPPORTED_BY_CHANNEL"
        assert errors[0]["field"] == "input.type"
        assert stored == 0
        assert (await thread_row(session, thread)).answered is False


@pytest.mark.spec("C10", "X4")
async def test_an_image_or_file_reply_is_an_http_url(gql: GraphQL, session: AsyncSession) -> None:
    """The body of an image or file is its URL; `javascript:alert(1)` was stored as one, a
    link every staff member's inbox would show."""
    _, (thread, _) = await threads_on(session, channel="facebook")
    refused = []
    for kind, body in (
        ("IMAGE", "javascript:alert(1)"),
        ("FILE", "data:text/html,<script>alert(1)</script>"),
        ("IMAGE", "anh.jpg"),
        ("FILE", "file:///etc/passwd"),
        ("IMAGE", "https://cdn.example.vn/a b.jpg"),
    ):
        reply = {"threadId": gid("Thread", thread), "type": kind, "body": body}
        errors = (await gql(REPLY, {"input": reply}))["data"]["threadReply"]["userErrors"]
        refused.append([(e["field"], e["code"]) for e in errors])
    taken = {
        "threadId": gid("Thread", thread),
        "type": "FILE",
        "body": "https://cdn.example.vn/bao-gia.pdf",
    }
    sent = await gql(REPLY, {"input": taken})

    assert refused == [[("input.body", "INVALID")]] * 5
    assert sent["data"]["threadReply"]["userErrors"] == []
    bodies = (
        (await session.execute(select(t.message.c.body).where(t.message.c.thread_id == thread)))
        .scalars()
        .all()
    )
    assert bodies == ["https://cdn.example.vn/bao-gia.pdf"]


@pytest.mark.spec("C10")
async def test_channel_capabilities_are_published(gql: GraphQL, shop: int) -> None:
    body = await gql(CAPABILITIES)
    by_channel = {c["channel"]: c for c in body["data"]["channelCapabilities"]}
    assert by_channel["SHOPEE"] == {
        "channel": "SHOPEE",
        "messageTypes": ["EMOJI", "IMAGE", "TEXT"],
        "canCreateOrder": False,
        "syncsCustomerDetails": False,
    }
    assert by_channel["FACEBOOK"]["canCreateOrder"] is True


async def test_an_empty_reply_is_refused(gql: GraphQL, session: AsyncSession) -> None:
    _, (thread, _) = await threads_on(session)
    body = await gql(REPLY, {"input": {"threadId": gid("Thread", thread), "body": "   "}})
    assert body["data"]["threadReply"]["userErrors"][0]["field"] == "input.body"
