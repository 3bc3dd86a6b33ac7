"""The typed context every resolver receives, built once per request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext
from strawberry.types import Info as _Info

from domain.budget import Budgets
from domain.staff import Principal
from graph.dataloaders import Loaders
from graph.repositories import Repositories
from infra.database import SerialSession
from infra.metrics import Metrics
from infra.repositories.filtering import ZoneCache
from infra.settings import Settings

T = TypeVar("T")


class Context(BaseContext):
    def __init__(
        self,
        *,
        session: AsyncSession,
        principal: Principal | None,
        settings: Settings,
        now: Callable[[], datetime],
        zones: ZoneCache | None = None,
        metrics: Metrics | None = None,
        budget: Budgets | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.principal = principal
        self.settings = settings
        self.now = now
        self.zones = zones
        self.metrics = metrics
        self.budget = budget
        """What the caller may still spend (``graph.throttle``); None: no limit."""
        self._unsettled: set[asyncio.Future[Any]] = set()
        self._made: dict[Hashable, asyncio.Future[Any]] = {}
        self.reads_only = False
        """Set for a query's execution (``graph.extensions.ReadOnlyQueries``)."""

    def once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """What ``make`` gives, made once for a query by the first field asking with ``key``:
        aliases of one field read their rows once. A mutation's fields may change what a read
        gives, so in a mutation each asks anew."""
        if not self.reads_only:
            return make()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = asyncio.ensure_future(make())
            self.track([made])
        # One field stopped must not stop the others awaiting the same answer.
        return asyncio.shield(made)

    def track(self, work: Iterable[asyncio.Future[Any]]) -> None:
        """Work of this request that runs on after its field failed (``graph.execution``)."""
        self._unsettled.update(work)

    async def settled(self) -> None:
        """Wait for the tracked work: the request's session closes only after it."""
        while pending := [work for work in self._unsettled if not work.done()]:
            await asyncio.wait(pending)
        self._unsettled.clear()

    def abandon(self) -> None:
        """The client has gone: a query stops its statement in flight and runs no more
        (``SerialSession.abandon``); a mutation carries on to its end."""
        if isinstance(self.session, SerialSession):
            self.session.abandon()

    @property
    def shop_id(self) -> int:
        return self.viewer.shop_id

    @property
    def viewer(self) -> Principal:
        if self.principal is None:  # the auth extension stops such requests before resolvers
            raise PermissionError("not authenticated")
        return self.principal

    @cached_property
    def repos(self) -> Repositories:
        return Repositories(self.session, self.shop_id)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.repos, self.now)


Info = _Info[Context, None]
