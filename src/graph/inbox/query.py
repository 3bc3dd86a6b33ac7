"""Root query fields of the inbox area."""

from __future__ import annotations

import strawberry

from graph.context import Info
from graph.inbox.settings import InboxSettings, inbox_settings


@strawberry.type
class InboxQuery:
    @strawberry.field(description="The caller's inbox settings: merge mode and permissions.")
    async def inbox_settings(self, info: Info) -> InboxSettings:
        return await inbox_settings(info)
