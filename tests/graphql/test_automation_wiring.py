"""T5 through the API: tagAdd enrols once by rule, tag events reach the outbox, and pausing the
chatbot in a thread holds the enrolment's steps until it resumes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from infra import tables as t
from infra.automation import release_due_steps
from tests.conftest import FIXED_NOW, SHOP_ID, GraphQL
from tests.factories import (
    make_page,
    make_subscriber,
    make_tag,
    make_thread,
    store_segment_members,
)

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
PAUSE = """
mutation($input: ThreadChatbotPauseInput!) {
  threadChatbotPause(input: $input) { threads { chatbotPaused } userErrors { field code } }
}
"""


def gid(type_name: str, value: int) -> str:
    return to_base64(type_name, value)


async def rule(session: AsyncSession, tag: int, delays: list[int]) -> int:
    sequence = int(
        (
            await session.execute(
                insert(t.sequence)
                .values(shop_id=SHOP_ID, name=f"Chuỗi {tag}")
                .returning(t.sequence.c.id)
            )
        ).scalar_one()
    )
    await session.execute(
        insert(t.sequence_step),
        [
            {
                "shop_id": SHOP_ID,
                "sequence_id": sequence,
                "position": i,
                "delay_minutes": d,
                "message": f"Bước {i}",
            }
            for i, d in enumerate(delays)
        ],
    )
    await session.execute(
        insert(t.automation_rule).values(shop_id=SHOP_ID, tag_id=tag, sequence_id=sequence)
    )
    return sequence


async def enrolments(session: AsyncSession) -> list[Any]:
    e = t.sequence_enrolment
    rows = await session.execute(
        select(e.c.id, e.c.sequence_id, e.c.subscriber_id, e.c.thread_id).order_by(e.c.id)
    )
    return list(rows)


async def scheduled(session: AsyncSession) -> list[tuple[int, datetime, str]]:
    s = t.scheduled_step
    rows = await session.execute(
        select(s.c.position, s.c.due_at, s.c.status).order_by(s.c.enrolment_id, s.c.position)
    )
    return [(r.position, r.due_at, r.status) for r in rows]


async def events(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    o = t.event_outbox
    rows = await session.execute(select(o.c.type, o.c.payload).order_by(o.c.id))
    return [(r.type, r.payload) for r in rows]


@pytest.mark.spec("T5", "X5")
async def test_tag_add_enrols_a_subscriber_once_with_steps_from_the_clock(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    trigger = await make_tag(session, page_id=page, name="Hết hàng")
    other = await make_tag(session, page_id=page, name="Quan tâm")
    sequence = await rule(session, trigger, [0, 120, 23 * 60])
    tagging = {"tagIds": [gid("Tag", trigger)], "subscriberIds": [gid("Subscriber", person)]}

    first = await gql(TAG_ADD, {"input": tagging})
    assert first["data"]["tagAdd"] == {"changed": 1, "userErrors": []}
    again = await gql(
        TAG_ADD, {"input": {**tagging, "tagIds": [gid("Tag", trigger), gid("Tag", other)]}}
    )
    assert again["data"]["tagAdd"] == {"changed": 1, "userErrors": []}

    assert [(e.sequence_id, e.subscriber_id, e.thread_id) for e in await enrolments(session)] == [
        (sequence, person, None)
    ]
    assert await scheduled(session) == [
        (0, now, "pending"),
        (1, now + timedelta(hours=2), "pending"),
        (2, now + timedelta(hours=23), "pending"),
    ]
    # One event per pair really added: the repeated (person, trigger) pair is not an event.
    assert await events(session) == [
        ("tag.added", {"tagId": trigger, "subscriberId": person, "threadId": None}),
        ("tag.added", {"tagId": other, "subscriberId": person, "threadId": None}),
    ]


@pytest.mark.spec("T5", "X5")
async def test_tag_remove_emits_tag_removed_only_for_pairs_that_were_there(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    people = [await make_subscriber(session, page_id=page) for _ in range(2)]
    tag = await make_tag(session, page_id=page)
    await gql(
        TAG_ADD,
        {"input": {"tagIds": [gid("Tag", tag)], "subscriberIds": [gid("Subscriber", people[0])]}},
    )
    removed = await gql(
        TAG_REMOVE,
        {
            "input": {
                "tagIds": [gid("Tag", tag)],
                "subscriberIds": [gid("Subscriber", p) for p in people],
            }
        },
    )
    assert removed["data"]["tagRemove"] == {"changed": 1, "userErrors": []}
    assert [e for e in await events(session) if e[0] == "tag.removed"] == [
        ("tag.removed", {"tagId": tag, "subscriberId": people[0]})
    ]
    again = await gql(
        TAG_REMOVE,
        {"input": {"tagIds": [gid("Tag", tag)], "subscriberIds": [gid("Subscriber", people[0])]}},
    )
    assert again["data"]["tagRemove"]["changed"] == 0
    assert len([e for e in await events(session) if e[0] == "tag.removed"]) == 1


@pytest.mark.spec("T5", "C6")
async def test_thread_tag_enrols_its_person_and_a_chatbot_pause_holds_the_steps(
    gql: GraphQL, session: AsyncSession, now: datetime
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    thread = await make_thread(session, page_id=page, subscriber_id=person)
    tag = await make_tag(session, page_id=page)
    await rule(session, tag, [0, 120])

    added = await gql(
        TAG_ADD, {"input": {"tagIds": [gid("Tag", tag)], "threadIds": [gid("Thread", thread)]}}
    )
    assert added["data"]["tagAdd"]["userErrors"] == []
    assert [(e.subscriber_id, e.thread_id) for e in await enrolments(session)] == [(person, thread)]
    assert await events(session) == [
        ("tag.added", {"tagId": tag, "subscriberId": person, "threadId": thread})
    ]

    paused = await gql(PAUSE, {"input": {"threadId": gid("Thread", thread), "paused": True}})
    assert paused["data"]["threadChatbotPause"]["userErrors"] == []
    assert [s[2] for s in await scheduled(session)] == ["held", "held"]
    assert await release_due_steps(session, now + timedelta(days=1)) == 0

    resumed = await gql(PAUSE, {"input": {"threadId": gid("Thread", thread), "paused": False}})
    assert resumed["data"]["threadChatbotPause"]["userErrors"] == []
    assert [s[2] for s in await scheduled(session)] == ["pending", "pending"]
    assert await release_due_steps(session, now + timedelta(hours=1)) == 1
    assert [s[2] for s in await scheduled(session)] == ["due", "pending"]


@pytest.mark.spec("T5", "C6")
async def test_tagging_a_paused_thread_schedules_held_steps(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    thread = await make_thread(session, page_id=page, subscriber_id=person)
    tag = await make_tag(session, page_id=page)
    await rule(session, tag, [0])
    await gql(PAUSE, {"input": {"threadId": gid("Thread", thread), "paused": True}})

    await gql(
        TAG_ADD, {"input": {"tagIds": [gid("Tag", tag)], "threadIds": [gid("Thread", thread)]}}
    )

    assert [s[2] for s in await scheduled(session)] == ["held"]


SEGMENT = """
mutation($input: SegmentCreateInput!) {
  segmentCreate(input: $input) { segment { memberCount } userErrors { field code } }
}
"""


@pytest.mark.spec("T5", "S9", "X1")
async def test_a_thread_tag_moves_the_segments_of_the_subscriber_its_rule_enrols(
    gql: GraphQL, session: AsyncSession
) -> None:
    """A thread's tags are no filter, but the sequence a rule enrols the thread's person in is:
    the subscriber's segments (and its customer's) follow at once, not on the scheduled pass."""
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    thread = await make_thread(session, page_id=page, subscriber_id=person)
    tag = await make_tag(session, page_id=page, name="Đang cân nhắc")
    await rule(session, tag, [0, 24 * 60])
    body = await gql(
        SEGMENT,
        {
            "input": {
                "name": "Trong chuỗi chăm sóc",
                "list": "SUBSCRIBERS",
                "definition": {"include": [{"sequence": {"anyOf": [f"Chuỗi {tag}"]}}]},
            }
        },
    )
    assert body["data"]["segmentCreate"] == {"segment": {"memberCount": 0}, "userErrors": []}
    segment = await session.scalar(select(t.segment.c.id))
    await store_segment_members(session, FIXED_NOW)

    added = await gql(
        TAG_ADD, {"input": {"tagIds": [gid("Tag", tag)], "threadIds": [gid("Thread", thread)]}}
    )
    assert added["data"]["tagAdd"]["userErrors"] == []
    assert [e for e in await events(session) if e[0].startswith("segment.")] == [
        ("segment.member_entered", {"segment_id": segment, "subscriber_id": person})
    ]
