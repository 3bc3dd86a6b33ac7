"""Loaders of the merged inbox, one set per inbox scope (pages and filter) of a request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiodataloader import DataLoader

from domain.conversation import Thread
from domain.inbox import FIRST_THREADS, RowSummary
from domain.tag import Tag
from infra.repositories.inbox import InboxRepository, InboxScope

V = TypeVar("V")


def _loader(fetch: Callable[[Sequence[int]], Awaitable[Sequence[V]]]) -> DataLoader[int, V]:
    async def batch(keys: list[int]) -> list[V]:
        return list(await fetch(keys))

    return DataLoader(batch, max_batch_size=1000)


class RowLoaders:
    """Batch what the rows of one inbox page show, keyed by person key."""

    def __init__(self, repo: InboxRepository, scope: InboxScope) -> None:
        self.summary_by_person: DataLoader[int, RowSummary] = _loader(
            lambda keys: repo.summaries(scope, keys)
        )
        # One more than the first threads shown, to know whether "see more" has anything.
        self.newest_threads_by_person: DataLoader[int, list[Thread]] = _loader(
            lambda keys: repo.newest_threads(scope, keys, FIRST_THREADS + 1)
        )
        self.tags_by_person: DataLoader[int, list[Tag]] = _loader(
            lambda keys: repo.tags_of_people(scope, keys)
        )


class InboxLoaders:
    def __init__(self, repo: InboxRepository) -> None:
        self.repo = repo
        self._scopes: dict[InboxScope, RowLoaders] = {}

    def rows(self, scope: InboxScope) -> RowLoaders:
        if scope not in self._scopes:
            self._scopes[scope] = RowLoaders(self.repo, scope)
        return self._scopes[scope]
