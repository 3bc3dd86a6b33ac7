"""Connecting pages and following their connection state (SPEC T2, C13)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.page import PageAction, next_state
from domain.subscriber import ConnectionState, Page, PageChannel
from infra import tables as t
from infra.repositories.social import PageRepository
from infra.repositories.tagging import TagAdmin


class PageAdmin:
    def __init__(self, session: AsyncSession, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id
        self.pages = PageRepository(session, shop_id)

    async def get(self, page_id: int, *, field: str = "input.pageId") -> Page:
        return await self.pages.one(page_id, field=field)

    async def connect(
        self,
        *,
        channel: PageChannel,
        external_id: str,
        name: str,
        avatar_url: str | None,
        now: datetime,
    ) -> tuple[Page, bool]:
        """Connects a page; on its first connection the default tags are installed (T2).

        Returns the page and whether this was its first connection.
        """
        new_id = await self.session.scalar(
            pg_insert(t.page)
            .values(
                shop_id=self.shop_id,
                channel=channel.value,
                external_id=external_id,
                name=name,
                avatar_url=avatar_url,
                first_connected_at=now,
                state_changed_at=now,
            )
            .on_conflict_do_nothing()
            .returning(t.page.c.id)
        )
        if new_id is not None:
            await TagAdmin(self.session, self.shop_id).install_defaults(new_id)
            return await self.get(new_id), True
        page_id = await self.session.scalar(
            select(t.page.c.id).where(
                t.page.c.shop_id == self.shop_id,
                t.page.c.channel == channel.value,
                t.page.c.external_id == external_id,
            )
        )
        assert page_id is not None
        await self.session.execute(
            update(t.page)
            .where(t.page.c.shop_id == self.shop_id, t.page.c.id == page_id)
            .values(name=name, avatar_url=avatar_url)
        )
        return await self.transition(page_id, PageAction.CONNECT, now), False

    async def transition(self, page_id: int, action: PageAction, now: datetime) -> Page:
        page = await self.get(page_id)
        if action is PageAction.DISMISS:
            values: dict[str, object] = {"notice_dismissed": True}
        else:
            state = next_state(page.connection_state, action)
            values = {"notice_dismissed": False}
            if state is not page.connection_state:
                values |= {"connection_state": state.value, "state_changed_at": now}
        await self.session.execute(
            update(t.page)
            .where(t.page.c.shop_id == self.shop_id, t.page.c.id == page_id)
            .values(**values)
        )
        if action is PageAction.DISCONNECT:
            # Removed from the account: no staff member keeps it in their merged inbox.
            await self.session.execute(
                delete(t.staff_merged_page).where(
                    t.staff_merged_page.c.shop_id == self.shop_id,
                    t.staff_merged_page.c.page_id == page_id,
                )
            )
        return await self.get(page_id)

    async def states(self) -> list[ConnectionState]:
        rows = await self.session.scalars(
            select(t.page.c.connection_state).where(t.page.c.shop_id == self.shop_id)
        )
        return [ConnectionState(s) for s in rows]
