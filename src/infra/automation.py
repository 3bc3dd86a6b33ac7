"""Automation rules applied in the transaction that tags people, and chatbot pauses.

``on_tags_added`` is called by every tagging path (subscriber or thread tags) in its own
transaction: it writes the ``tag.added`` events and enrols the people in the sequences of the
enabled rules for those tags, with their due steps. The partial unique index on running
enrolments makes a second enrolment in the same running sequence a no-op, even under
concurrent tagging. Steps of a thread whose chatbot is paused are ``held`` until it resumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import Step, due_times
from domain.events import EventType
from domain.segment import ListKind
from domain.tag import TagTarget
from infra import tables as t
from infra.events import emit_many
from infra.segment_events import rows_changed


async def on_tags_added(
    session: AsyncSession,
    shop_id: int,
    *,
    now: datetime,
    subscriber_tags: Sequence[tuple[int, int]] = (),
    thread_tags: Sequence[tuple[int, int]] = (),
    customer_tags: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """Events and enrolments for (owner id, tag id) pairs just added; returns the subscriber
    of each new enrolment. Customers get events only: rules enrol subscribers, who receive
    messages."""
    th = t.thread
    # (tag, subscriber, thread or None, chatbot paused)
    people: list[tuple[int, int, int | None, bool]] = [
        (tag, subscriber, None, False) for subscriber, tag in subscriber_tags
    ]
    if thread_tags:
        threads = {
            r.id: r
            for r in await session.execute(
                select(th.c.subscriber_id, th.c.id, th.c.chatbot_paused).where(
                    th.c.shop_id == shop_id, th.c.id.in_({thread for thread, _ in thread_tags})
                )
            )
        }
        people += [
            (tag, threads[thread].subscriber_id, thread, threads[thread].chatbot_paused)
            for thread, tag in thread_tags
            if thread in threads
        ]
    await emit_many(
        session,
        shop_id,
        EventType.TAG_ADDED,
        [{"tagId": tag, "customerId": customer} for customer, tag in customer_tags]
        + [
            {"tagId": tag, "subscriberId": subscriber, "threadId": thread}
            for tag, subscriber, thread, _ in people
        ],
        now,
    )
    if not people:
        return []
    r = t.automation_rule
    rules = (
        await session.execute(
            select(r.c.id, r.c.tag_id, r.c.sequence_id)
            .where(
                r.c.shop_id == shop_id,
                r.c.enabled,
                r.c.tag_id.in_({tag for tag, _, _, _ in people}),
            )
            .order_by(r.c.id)
        )
    ).all()
    if not rules:
        return []
    e = t.sequence_enrolment
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for rule in rules:
        for tag, subscriber, thread, _ in people:
            if tag != rule.tag_id:
                continue
            wanted.setdefault(
                (rule.sequence_id, subscriber),
                {
                    "shop_id": shop_id,
                    "sequence_id": rule.sequence_id,
                    "subscriber_id": subscriber,
                    "thread_id": thread,
                    "rule_id": rule.id,
                    "enrolled_at": now,
                },
            )
    if not wanted:
        return []
    created = (
        await session.execute(
            insert(e)
            .values(list(wanted.values()))
            .on_conflict_do_nothing(
                index_elements=[e.c.shop_id, e.c.sequence_id, e.c.subscriber_id],
                index_where=e.c.status == "running",
            )
            .returning(e.c.id, e.c.sequence_id, e.c.thread_id, e.c.subscriber_id)
        )
    ).all()
    if not created:
        return []
    paused = {thread for _, _, thread, is_paused in people if thread is not None and is_paused}
    st = t.sequence_step
    steps: dict[int, list[Step]] = {}
    for row in await session.execute(
        select(st.c.sequence_id, st.c.position, st.c.delay_minutes).where(
            st.c.shop_id == shop_id, st.c.sequence_id.in_({c.sequence_id for c in created})
        )
    ):
        steps.setdefault(row.sequence_id, []).append(Step(row.position, row.delay_minutes))
    scheduled = [
        {
            "shop_id": shop_id,
            "enrolment_id": c.id,
            "position": position,
            "due_at": due_at,
            "status": "held" if c.thread_id in paused else "pending",
        }
        for c in created
        for position, due_at in due_times(now, steps.get(c.sequence_id, []))
    ]
    if scheduled:
        await session.execute(insert(t.scheduled_step), scheduled)
    return [c.subscriber_id for c in created]


async def on_tags_removed(
    session: AsyncSession,
    shop_id: int,
    target: str,
    pairs: Sequence[tuple[int, int]],
    now: datetime,
) -> None:
    """``tag.removed`` events for (owner id, tag id) pairs just removed; running enrolments
    stay (a sequence, once started, is not undone by untagging)."""
    await emit_many(
        session,
        shop_id,
        EventType.TAG_REMOVED,
        [{"tagId": tag, f"{target}Id": owner} for owner, tag in pairs],
        now,
    )


async def tagging_changed(
    session: AsyncSession,
    shop_id: int,
    target: TagTarget,
    pairs: Sequence[tuple[int, int]],
    now: datetime,
    *,
    added: bool,
) -> None:
    """What follows a tagAdd / tagRemove, for the (owner id, tag id) pairs it changed: the
    automation's rules, then the segments of the customers or subscribers tagged (their `tag`
    conditions, and the sequences a rule may just have enrolled them in), and for a thread's
    tag those of the subscriber a rule enrolled."""
    if not pairs:
        return
    if not added:
        await on_tags_removed(session, shop_id, target.value, pairs, now)
    else:
        match target:
            case TagTarget.SUBSCRIBER:
                await on_tags_added(session, shop_id, now=now, subscriber_tags=pairs)
            case TagTarget.THREAD:
                enrolled = await on_tags_added(session, shop_id, now=now, thread_tags=pairs)
                # A thread tag is no filter, but the sequences its rules just enrolled the
                # thread's subscriber in are.
                await rows_changed(
                    session, shop_id, ListKind.SUBSCRIBERS, sorted(set(enrolled)), now
                )
            case TagTarget.CUSTOMER:
                await on_tags_added(session, shop_id, now=now, customer_tags=pairs)
    kind = _SEGMENT_LISTS.get(target)
    if kind is not None:
        await rows_changed(session, shop_id, kind, sorted({owner for owner, _ in pairs}), now)


_SEGMENT_LISTS = {
    TagTarget.CUSTOMER: ListKind.CUSTOMERS,
    TagTarget.SUBSCRIBER: ListKind.SUBSCRIBERS,
}
"""The list whose segments a tagging of each target can move (thread tags are no filter)."""


async def on_chatbot_paused(
    session: AsyncSession, shop_id: int, thread_ids: Sequence[int], *, paused: bool
) -> int:
    """Hold the pending steps of the threads' running enrolments, or release held ones."""
    e, s = t.sequence_enrolment, t.scheduled_step
    before, after = ("pending", "held") if paused else ("held", "pending")
    result = await session.execute(
        update(s)
        .where(
            s.c.shop_id == shop_id,
            s.c.status == before,
            s.c.enrolment_id.in_(
                select(e.c.id).where(
                    and_(
                        e.c.shop_id == shop_id,
                        e.c.thread_id.in_(list(thread_ids)),
                        e.c.status == "running",
                    )
                )
            ),
        )
        .values(status=after)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def release_due_steps(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Mark pending steps whose time has come as due, with a ``sequence.step_due`` event."""
    s, e = t.scheduled_step, t.sequence_enrolment
    due = (
        select(s.c.shop_id, s.c.enrolment_id, s.c.position)
        .where(s.c.status == "pending", s.c.due_at <= now)
        .order_by(s.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    released = (
        await session.execute(
            update(s)
            .where(
                s.c.shop_id == due.c.shop_id,
                s.c.enrolment_id == due.c.enrolment_id,
                s.c.position == due.c.position,
            )
            .values(status="due")
            .returning(s.c.shop_id, s.c.enrolment_id, s.c.position, s.c.due_at)
        )
    ).all()
    people = {
        (r.shop_id, r.id): r
        for r in await session.execute(
            select(e.c.shop_id, e.c.id, e.c.sequence_id, e.c.subscriber_id, e.c.thread_id).where(
                e.c.id.in_({r.enrolment_id for r in released})
            )
        )
    }
    by_shop: dict[int, list[dict[str, Any]]] = {}
    for r in released:
        who = people[(r.shop_id, r.enrolment_id)]
        by_shop.setdefault(r.shop_id, []).append(
            {
                "enrolmentId": r.enrolment_id,
                "sequenceId": who.sequence_id,
                "position": r.position,
                "subscriberId": who.subscriber_id,
                "threadId": who.thread_id,
                "dueAt": r.due_at.isoformat(),
            }
        )
    for shop_id, payloads in by_shop.items():
        await emit_many(session, shop_id, EventType.SEQUENCE_STEP_DUE, payloads, now)
    return len(released)
