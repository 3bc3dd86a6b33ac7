"""What a subscriber's profile shows besides its row: ref links, OTN topics, custom fields,
enrolments and conversations, each batched over many subscribers in one statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import Enrolment
from domain.conversation import Thread
from domain.subscriber import CustomFieldValue, OtnTopic, RefLinkOpen
from infra import tables as t
from infra.repositories.automation_admin import EnrolmentRepository
from infra.repositories.social import ThreadRepository

T = TypeVar("T")


def grouped(ids: Sequence[int], rows: Iterable[Any], convert: Callable[[Any], T]) -> list[list[T]]:
    """Rows carrying a ``subscriber_id``, grouped into lists aligned to ``ids``."""
    found: dict[int, list[T]] = {i: [] for i in ids}
    for row in rows:
        found[row.subscriber_id].append(convert(row))
    return [found[i] for i in ids]


class SubscriberProfileRepository:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    async def _grouped(
        self, ids: Sequence[int], query: Select[Any], convert: Callable[[Any], T]
    ) -> list[list[T]]:
        if not ids:
            return []
        return grouped(ids, await self.session.execute(query), convert)

    async def ref_links(self, ids: Sequence[int]) -> list[list[RefLinkOpen]]:
        r = t.ref_link_open
        query = (
            select(r.c.subscriber_id, r.c.ref, r.c.opened_at)
            .where(r.c.shop_id == self.shop_id, r.c.subscriber_id.in_(ids))
            .order_by(r.c.subscriber_id, r.c.opened_at.desc(), r.c.ref)
        )
        return await self._grouped(ids, query, lambda row: RefLinkOpen(row.ref, row.opened_at))

    async def otn_topics(self, ids: Sequence[int]) -> list[list[OtnTopic]]:
        o = t.otn_subscription
        query = (
            select(o.c.subscriber_id, o.c.topic, o.c.subscribed_at)
            .where(o.c.shop_id == self.shop_id, o.c.subscriber_id.in_(ids))
            .order_by(o.c.subscriber_id, o.c.topic)
        )
        return await self._grouped(ids, query, lambda row: OtnTopic(row.topic, row.subscribed_at))

    async def custom_fields(self, ids: Sequence[int]) -> list[list[CustomFieldValue]]:
        v, f = t.custom_field_value, t.custom_field
        query = (
            select(
                v.c.subscriber_id,
                f.c.key,
                f.c.label,
                f.c.type,
                v.c.value_text,
                v.c.value_number,
                v.c.value_date,
            )
            .join(f, (f.c.shop_id == v.c.shop_id) & (f.c.id == v.c.field_id))
            .where(v.c.shop_id == self.shop_id, v.c.subscriber_id.in_(ids))
            .order_by(v.c.subscriber_id, f.c.key)
        )
        return await self._grouped(
            ids,
            query,
            lambda row: CustomFieldValue(
                key=row.key,
                label=row.label,
                type=row.type,
                text=row.value_text,
                number=row.value_number,
                day=row.value_date,
            ),
        )

    async def enrolments(self, ids: Sequence[int]) -> list[list[Enrolment]]:
        e = t.sequence_enrolment
        repo = EnrolmentRepository(self.session, self.shop_id)
        query = (
            select(e)
            .where(e.c.shop_id == self.shop_id, e.c.subscriber_id.in_(ids))
            .order_by(e.c.subscriber_id, e.c.enrolled_at.desc(), e.c.id.desc())
        )
        return await self._grouped(ids, query, repo.to_domain)

    async def threads(self, ids: Sequence[int]) -> list[list[Thread]]:
        th = t.thread
        repo = ThreadRepository(self.session, self.shop_id)
        query = (
            select(th)
            .where(th.c.shop_id == self.shop_id, th.c.subscriber_id.in_(ids))
            .order_by(th.c.subscriber_id, th.c.last_message_at.desc(), th.c.id.desc())
        )
        return await self._grouped(ids, query, repo.to_domain)
