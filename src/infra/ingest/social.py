"""Subscribers, threads and messages upserted by external id.

Subscribers are also unique per page and platform user: a row the chatbot created without an
external id is adopted by the first partner item naming the same person. New subscribers are
linked to the one customer sharing their phone or e-mail (X1); ambiguous matches are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Text, case, delete, func, literal, literal_column, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.custom_fields import CustomFieldType, TypedValue, typed_values
from domain.customer import Gender
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ingest import (
    BatchOutcome,
    ItemError,
    ItemResult,
    LinkConflict,
    item_error,
    validate_batch,
)
from domain.ingest_social import (
    SOURCE_FIELDS,
    MessageItem,
    SubscriberItem,
    SubscriberRecord,
    ThreadItem,
    check_channel_allows,
    validate_message,
    validate_subscriber,
    validate_thread,
)
from domain.subscriber import PageChannel
from infra import tables as t
from infra.ingest.batch import write_isolating
from infra.ingest.linking import link_subscribers
from infra.repositories.custom_fields import CustomFieldRepository
from infra.segment_events import subscribers_changed

_SUBSCRIBER_KEEP = (
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "phone_normalized",
    "email",
    "email_normalized",
    "avatar_url",
    "subscribed",
    "last_interaction_at",
    *SOURCE_FIELDS,
)


def _outcome(
    results: list[ItemResult], errors: list[ItemError], conflicts: Sequence[LinkConflict] = ()
) -> BatchOutcome:
    return BatchOutcome(
        results=tuple(sorted(results, key=lambda r: r.index)),
        errors=tuple(sorted(errors, key=lambda e: e.index)),
        conflicts=tuple(conflicts),
    )


async def _pages(session: AsyncSession, shop_id: int, keys: set[str]) -> dict[str, list[int]]:
    p = t.page
    rows = await session.execute(
        select(p.c.external_id, p.c.id).where(p.c.shop_id == shop_id, p.c.external_id.in_(keys))
    )
    found: dict[str, list[int]] = {}
    for key, id_ in rows:
        found.setdefault(key, []).append(id_)
    return found


async def _write_subscribers(
    session: AsyncSession,
    shop_id: int,
    now: datetime,
    items: Sequence[tuple[int, tuple[SubscriberRecord, int]]],
) -> list[ItemResult]:
    s = t.subscriber
    rows: list[dict[str, Any]] = []
    for _, (record, page_id) in items:
        item = record.item
        rows.append(
            {
                "shop_id": shop_id,
                "external_id": item.external_id,
                "page_id": page_id,
                "platform_user_id": item.platform_user_id,
                "first_name": item.first_name,
                "last_name": item.last_name,
                "full_name": item.full_name,
                "gender": (item.gender or Gender.UNKNOWN).value,
                "phone": item.phone,
                "phone_normalized": record.phone_normalized,
                "email": item.email,
                "email_normalized": record.email_normalized,
                "avatar_url": item.avatar_url,
                "subscribed": True if item.subscribed is None else item.subscribed,
                "last_interaction_at": item.last_interaction_at,
                "signed_up_at": item.signed_up_at or now,
                **{name: getattr(item, name) for name in SOURCE_FIELDS},
            }
        )
    statement = insert(s).values(rows)
    excluded = statement.excluded
    updates: dict[str, Any] = {n: func.coalesce(excluded[n], s.c[n]) for n in _SUBSCRIBER_KEEP}
    updates["external_id"] = excluded.external_id
    updates["gender"] = case(
        (excluded.gender == Gender.UNKNOWN.value, s.c.gender), else_=excluded.gender
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[s.c.shop_id, s.c.page_id, s.c.platform_user_id], set_=updates
    ).returning(s.c.id, s.c.external_id, literal_column("xmax = 0").label("created"))
    written = (await session.execute(upsert)).all()
    index_of = {record.item.external_id: index for index, (record, _) in items}
    return [ItemResult(index_of[r.external_id], r.external_id, r.id, r.created) for r in written]


async def _write_topics(
    session: AsyncSession, shop_id: int, now: datetime, topics: dict[int, tuple[str, ...]]
) -> None:
    """Each subscriber's OTN subscriptions become ``topics[subscriber]``: the others end, new
    ones start ``now`` and those kept keep their time (two statements for the batch)."""
    if not topics:
        return
    o = t.otn_subscription
    pairs = [(sid, topic) for sid, names in topics.items() for topic in names]
    given = (
        select(
            func.unnest(literal([p[0] for p in pairs], ARRAY(BigInteger))).label("sid"),
            func.unnest(literal([p[1] for p in pairs], ARRAY(Text))).label("topic"),
        )
    ).subquery("given")
    await session.execute(
        delete(o).where(
            o.c.shop_id == shop_id,
            o.c.subscriber_id.in_(list(topics)),
            ~select(given.c.sid)
            .where(given.c.sid == o.c.subscriber_id, given.c.topic == o.c.topic)
            .exists(),
        )
    )
    if pairs:
        await session.execute(
            insert(o)
            .from_select(
                ["shop_id", "subscriber_id", "topic", "subscribed_at"],
                select(literal(shop_id), given.c.sid, given.c.topic, literal(now)),
            )
            .on_conflict_do_nothing()
        )


async def upsert_subscribers(
    session: AsyncSession, shop_id: int, items: Sequence[SubscriberItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_subscriber, lambda r: r.item.external_id)
    fields = CustomFieldRepository(session, shop_id)
    by_key: dict[str, tuple[int, CustomFieldType]] = {}
    values: dict[int, dict[str, TypedValue | None]] = {}
    if any(r.item.custom_fields for _, r in valid):
        by_key = await fields.by_key()
        kinds = {key: kind for key, (_, kind) in by_key.items()}
        typed: list[tuple[int, SubscriberRecord]] = []
        for index, record in valid:
            try:
                values[index] = typed_values(record.item.custom_fields or (), kinds)
            except DomainError as refused:
                errors.append(item_error(index, refused))
                continue
            typed.append((index, record))
        valid = typed
    pages = await _pages(session, shop_id, {r.item.page_external_id for _, r in valid})
    s = t.subscriber
    existing = {
        (row.page_id, row.platform_user_id): row.external_id
        for row in await session.execute(
            select(s.c.page_id, s.c.platform_user_id, s.c.external_id).where(
                s.c.shop_id == shop_id,
                s.c.platform_user_id.in_({r.item.platform_user_id for _, r in valid}),
            )
        )
    }
    resolved: list[tuple[int, tuple[SubscriberRecord, int]]] = []
    for index, record in valid:
        item = record.item
        found = pages.get(item.page_external_id, [])
        owner = existing.get((found[0], item.platform_user_id)) if len(found) == 1 else None
        if not found:
            error: DomainError = NotFound(
                f"No page has external id {item.page_external_id!r}.", field="pageExternalId"
            )
        elif len(found) > 1:
            error = DomainError(
                f"Several pages have external id {item.page_external_id!r}.",
                code=ErrorCode.AMBIGUOUS,
                field="pageExternalId",
            )
        elif owner is not None and owner != item.external_id:
            error = DomainError(
                f"This person on this page is already the subscriber {owner!r}.",
                code=ErrorCode.DUPLICATE,
                field="platformUserId",
            )
        else:
            resolved.append((index, (record, found[0])))
            existing[(found[0], item.platform_user_id)] = item.external_id
            continue
        errors.append(item_error(index, error))
    results, write_errors = await write_isolating(
        session, resolved, lambda batch: _write_subscribers(session, shop_id, now, batch)
    )
    await fields.write(
        [
            (r.id, by_key[key][0], value)
            for r in results
            for key, value in values.get(r.index, {}).items()
        ]
    )
    topics = {
        index: r.item.otn_topics for index, (r, _) in resolved if r.item.otn_topics is not None
    }
    await _write_topics(
        session, shop_id, now, {r.id: topics[r.index] for r in results if r.index in topics}
    )
    conflicts: list[LinkConflict] = []
    if results:
        index_of = {r.id: r.index for r in results}
        ambiguous = await link_subscribers(session, shop_id, subscriber_ids=list(index_of))
        conflicts = [LinkConflict(index_of[sid], sid, ids) for sid, ids in ambiguous]
        await subscribers_changed(session, shop_id, sorted(index_of), now)
    return _outcome(results, [*errors, *write_errors], conflicts)


async def upsert_threads(
    session: AsyncSession, shop_id: int, items: Sequence[ThreadItem], now: datetime
) -> BatchOutcome:
    valid, errors = validate_batch(items, validate_thread, lambda r: r.external_id)
    s = t.subscriber
    people = {
        row.external_id: row
        for row in await session.execute(
            select(
                s.c.external_id, s.c.id, s.c.page_id, s.c.customer_id, s.c.phone_normalized
            ).where(
                s.c.shop_id == shop_id,
                s.c.external_id.in_({item.subscriber_external_id for _, item in valid}),
            )
        )
    }
    channels = dict(
        (
            await session.execute(
                select(t.page.c.id, t.page.c.channel).where(t.page.c.shop_id == shop_id)
            )
        ).all()
    )
    rows: list[tuple[int, dict[str, Any]]] = []
    for index, item in valid:
        person = people.get(item.subscriber_external_id)
        if person is None:
            message = f"No subscriber has external id {item.subscriber_external_id!r}."
            errors.append(item_error(index, NotFound(message, field="subscriberExternalId")))
            continue
        rows.append(
            (
                index,
                {
                    "shop_id": shop_id,
                    "external_id": item.external_id,
                    "page_id": person.page_id,
                    "channel": channels[person.page_id],
                    "kind": item.kind.value,
                    "subscriber_id": person.id,
                    "customer_id": person.customer_id,
                    "phone_normalized": person.phone_normalized,
                    "unread_count": item.unread_count or 0,
                    "answered": bool(item.answered),
                    "last_message_at": item.last_message_at,
                    "created_at": now,
                    "_unread": item.unread_count,
                    "_answered": item.answered,
                },
            )
        )

    async def write(batch: Sequence[tuple[int, dict[str, Any]]]) -> list[ItemResult]:
        th = t.thread
        statement = insert(th).values(
            [{k: v for k, v in row.items() if k[0] != "_"} for _, row in batch]
        )
        excluded = statement.excluded
        upsert = statement.on_conflict_do_update(
            index_elements=[th.c.shop_id, th.c.external_id],
            index_where=th.c.external_id.isnot(None),
            set_={
                "kind": excluded.kind,
                "last_message_at": func.greatest(th.c.last_message_at, excluded.last_message_at),
            },
        ).returning(th.c.id, th.c.external_id, literal_column("xmax = 0").label("created"))
        written = (await session.execute(upsert)).all()
        given = {row["external_id"]: (index, row) for index, row in batch}
        for r in written:
            _, row = given[r.external_id]
            changes = {
                k[1:]: v for k, v in row.items() if k in ("_unread", "_answered") and v is not None
            }
            if changes and not r.created:
                await session.execute(
                    update(th)
                    .where(th.c.shop_id == shop_id, th.c.id == r.id)
                    .values(
                        unread_count=changes.get("unread", th.c.unread_count),
                        answered=changes.get("answered", th.c.answered),
                    )
                )
        return [
            ItemResult(given[r.external_id][0], r.external_id, r.id, r.created) for r in written
        ]

    results, write_errors = await write_isolating(session, rows, write)
    return _outcome(results, [*errors, *write_errors])


async def upsert_messages(
    session: AsyncSession, shop_id: int, items: Sequence[MessageItem], now: datetime
) -> BatchOutcome:
    """Messages by external id; their threads' last message time, unread and answered follow."""
    valid, errors = validate_batch(items, validate_message, lambda r: r.external_id)
    th, m = t.thread, t.message
    threads = {
        row.external_id: row
        for row in await session.execute(
            select(th.c.external_id, th.c.id, th.c.channel)
            .where(
                th.c.shop_id == shop_id,
                th.c.external_id.in_({item.thread_external_id for _, item in valid}),
            )
            .order_by(th.c.id)
            .with_for_update()
        )
    }
    rows: list[tuple[int, dict[str, Any]]] = []
    for index, item in valid:
        thread = threads.get(item.thread_external_id)
        try:
            if thread is None:
                raise NotFound(
                    f"No thread has external id {item.thread_external_id!r}.",
                    field="threadExternalId",
                )
            check_channel_allows(PageChannel(thread.channel), item.type)
        except DomainError as error:
            errors.append(item_error(index, error))
            continue
        rows.append(
            (
                index,
                {
                    "shop_id": shop_id,
                    "external_id": item.external_id,
                    "thread_id": thread.id,
                    "direction": item.direction.value,
                    "type": item.type.value,
                    "body": item.body,
                    "sent_at": item.sent_at,
                },
            )
        )

    async def write(batch: Sequence[tuple[int, dict[str, Any]]]) -> list[ItemResult]:
        statement = insert(m).values([row for _, row in batch])
        upsert = statement.on_conflict_do_update(
            index_elements=[m.c.shop_id, m.c.external_id],
            index_where=m.c.external_id.isnot(None),
            set_={"body": statement.excluded.body, "type": statement.excluded.type},
        ).returning(
            m.c.id,
            m.c.external_id,
            m.c.thread_id,
            m.c.direction,
            literal_column("xmax = 0").label("created"),
        )
        written = (await session.execute(upsert)).all()
        index_of = {row["external_id"]: index for index, row in batch}
        new_in: dict[int, int] = {}
        for r in written:
            if r.created and r.direction == "in":
                new_in[r.thread_id] = new_in.get(r.thread_id, 0) + 1
        await _refresh_threads(session, shop_id, {r.thread_id for r in written}, new_in)
        return [
            ItemResult(index_of[r.external_id], r.external_id, r.id, r.created) for r in written
        ]

    results, write_errors = await write_isolating(session, rows, write)
    return _outcome(results, [*errors, *write_errors])


async def _refresh_threads(
    session: AsyncSession, shop_id: int, thread_ids: set[int], new_in: dict[int, int]
) -> None:
    th, m = t.thread, t.message
    latest = (
        select(m.c.direction)
        .where(m.c.shop_id == shop_id, m.c.thread_id == th.c.id)
        .order_by(m.c.sent_at.desc(), m.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    newest = select(func.max(m.c.sent_at)).where(m.c.shop_id == shop_id, m.c.thread_id == th.c.id)
    if not thread_ids:
        return
    added = case(new_in, value=th.c.id, else_=0) if new_in else 0
    await session.execute(
        update(th)
        .where(th.c.shop_id == shop_id, th.c.id.in_(sorted(thread_ids)))
        .values(
            last_message_at=func.greatest(th.c.last_message_at, newest.scalar_subquery()),
            answered=latest == "out",
            unread_count=case((latest == "out", 0), else_=th.c.unread_count + added),
        )
    )
