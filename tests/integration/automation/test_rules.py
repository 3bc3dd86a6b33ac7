"""T5: tag rules enrol people in sequences once, with due steps held while the bot is paused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from infra.automation import on_chatbot_paused, on_tags_added, release_due_steps
from tests.conftest import SHOP_ID
from tests.factories import make_page, make_subscriber, make_tag, make_thread


async def sequence_with_rule(session: AsyncSession, tag: int, delays: list[int]) -> int:
    sequence = (
        await session.execute(
            insert(t.sequence)
            .values(shop_id=SHOP_ID, name="Nhắc mua hàng")
            .returning(t.sequence.c.id)
        )
    ).scalar_one()
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
    return int(sequence)


async def steps(session: AsyncSession) -> list[tuple[int, datetime, str]]:
    s = t.scheduled_step
    rows = await session.execute(
        select(s.c.position, s.c.due_at, s.c.status).order_by(s.c.position)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.spec("T5")
async def test_a_tag_rule_enrols_once_with_due_steps(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    tag = await make_tag(session, page_id=page, name="Hết hàng")
    other_tag = await make_tag(session, page_id=page, name="Quan tâm")
    await sequence_with_rule(session, tag, [0, 120, 23 * 60])

    first = await on_tags_added(session, SHOP_ID, subscriber_tags=[(person, tag)], now=now)
    again = await on_tags_added(
        session,
        SHOP_ID,
        subscriber_tags=[(person, tag), (person, other_tag)],
        now=now + timedelta(hours=1),
    )

    assert len(first) == 1
    assert again == []
    assert await steps(session) == [
        (0, now, "pending"),
        (1, now + timedelta(hours=2), "pending"),
        (2, now + timedelta(hours=23), "pending"),
    ]
    events = (await session.execute(select(t.event_outbox.c.type))).scalars().all()
    assert events == ["tag.added", "tag.added", "tag.added"]

    assert await release_due_steps(session, now + timedelta(hours=3)) == 2
    assert [s[2] for s in await steps(session)] == ["due", "due", "pending"]
    due = (
        (
            await session.execute(
                select(t.event_outbox.c.payload).where(t.event_outbox.c.type == "sequence.step_due")
            )
        )
        .scalars()
        .all()
    )
    assert sorted(p["position"] for p in due) == [0, 1]


@pytest.mark.spec("T5", "C6")
async def test_pausing_the_chatbot_holds_the_threads_steps(
    session: AsyncSession, shop: int, now: datetime
) -> None:
    page = await make_page(session)
    person = await make_subscriber(session, page_id=page)
    thread = await make_thread(session, page_id=page, subscriber_id=person)
    tag = await make_tag(session, page_id=page)
    await sequence_with_rule(session, tag, [0, 120])
    await on_tags_added(session, SHOP_ID, thread_tags=[(thread, tag)], now=now)

    assert await on_chatbot_paused(session, SHOP_ID, [thread], paused=True) == 2
    assert await release_due_steps(session, now + timedelta(days=1)) == 0
    assert [s[2] for s in await steps(session)] == ["held", "held"]

    assert await on_chatbot_paused(session, SHOP_ID, [thread], paused=False) == 2
    assert await release_due_steps(session, now + timedelta(days=1)) == 2
