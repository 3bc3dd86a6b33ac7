"""What staff do in a thread: pause the chatbot, read, assign, reply (SPEC C6, C10, C12)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.channel import check_message_type
from domain.conversation import Direction, Message, MessageType, Thread
from domain.errors import NotFound
from infra import tables as t
from infra.repositories.social import MessageRepository, ThreadRepository


class ThreadActions:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.threads = ThreadRepository(session, shop_id)

    async def get(self, thread_id: int, *, field: str = "input.threadId") -> Thread:
        return await self.threads.one(thread_id, field=field)

    async def _update(self, ids: Sequence[int], field: str, **values: Any) -> list[Thread]:
        wanted = list(dict.fromkeys(ids))
        changed = await self.session.scalars(
            update(t.thread)
            .where(t.thread.c.shop_id == self.shop_id, t.thread.c.id.in_(wanted))
            .values(**values)
            .returning(t.thread.c.id)
        )
        if len(set(changed.all())) < len(wanted):
            raise NotFound("Some thread ids are not in this shop.", field=field)
        found = await self.threads.get_many(wanted)
        return [item for item in found if item is not None]

    async def set_paused(self, thread_id: int, paused: bool) -> Thread:
        return (await self._update([thread_id], "input.threadId", chatbot_paused=paused))[0]

    async def mark_read(self, ids: Sequence[int]) -> list[Thread]:
        return await self._update(ids, "input.threadIds", unread_count=0)

    async def mark_page_read(self, page_id: int) -> int:
        changed = await self.session.scalars(
            update(t.thread)
            .where(
                t.thread.c.shop_id == self.shop_id,
                t.thread.c.page_id == page_id,
                t.thread.c.unread_count > 0,
            )
            .values(unread_count=0)
            .returning(t.thread.c.id)
        )
        return len(changed.all())

    async def assign(self, ids: Sequence[int], staff_id: int | None) -> list[Thread]:
        if staff_id is not None:
            found = await self.session.scalar(
                select(t.staff.c.id).where(
                    t.staff.c.shop_id == self.shop_id, t.staff.c.id == staff_id
                )
            )
            if found is None:
                raise NotFound("No such staff member in this shop.", field="input.staffId")
        return await self._update(ids, "input.threadIds", assigned_staff_id=staff_id)

    async def reply(
        self,
        thread_id: int,
        *,
        kind: MessageType,
        body: str | None,
        staff_id: int,
        now: datetime,
    ) -> tuple[Thread, Message]:
        """Stores the outgoing message; the channel decides which message types it accepts."""
        thread = await self.get(thread_id)
        check_message_type(thread.channel, kind, field="input.type")
        message_id = await self.session.scalar(
            insert(t.message)
            .values(
                shop_id=self.shop_id,
                thread_id=thread_id,
                direction=Direction.OUT.value,
                type=kind.value,
                body=body,
                sent_by_staff_id=staff_id,
                sent_at=now,
            )
            .returning(t.message.c.id)
        )
        assert message_id is not None
        updated = await self._update(
            [thread_id], "input.threadId", answered=True, unread_count=0, last_message_at=now
        )
        message = (await MessageRepository(self.session, self.shop_id).get_many([message_id]))[0]
        assert message is not None
        return updated[0], message
