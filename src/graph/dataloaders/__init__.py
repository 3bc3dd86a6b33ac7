"""Per-request DataLoaders, named ``<Thing>By<Key>``; each calls one repository method."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from aiodataloader import DataLoader

from domain.automation import Enrolment
from domain.conversation import Thread
from domain.customer import Customer
from domain.member import Member
from domain.segment import Segment
from domain.shop import Shop
from domain.subscriber import CustomFieldValue, OtnTopic, Page, RefLinkOpen, Subscriber
from domain.tag import Tag, TagFolder
from graph.dataloaders.inbox import InboxLoaders
from graph.repositories import Repositories
from infra import tables as t
from infra.repositories.segments import SegmentRepository

if TYPE_CHECKING:
    from graph.dataloaders.integrations import IntegrationLoaders

K = TypeVar("K")
V = TypeVar("V")


def loader(fetch: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    async def batch(keys: list[K]) -> list[V]:
        return list(await fetch(keys))

    return DataLoader(batch, max_batch_size=1000)


class Loaders:
    """Built fresh for every request, so nothing cached leaks between callers or shops."""

    def __init__(self, repos: Repositories, now: Callable[[], datetime]) -> None:
        self.repos = repos
        self.now = now

    @cached_property
    def inbox(self) -> InboxLoaders:
        return InboxLoaders(self.repos.inbox)

    @cached_property
    def integrations(self) -> IntegrationLoaders:
        from graph.dataloaders.integrations import IntegrationLoaders

        return IntegrationLoaders(self.repos.session, self.repos.shop_id)

    @cached_property
    def shop_by_id(self) -> DataLoader[int, Shop | None]:
        return loader(self.repos.shop.get_many)

    @cached_property
    def staff_name_by_id(self) -> DataLoader[int, str | None]:
        return loader(self.repos.shop.staff_names)

    @cached_property
    def customer_by_id(self) -> DataLoader[int, Customer | None]:
        return loader(self.repos.customers.get_many)

    @cached_property
    def merged_external_ids_by_customer_id(self) -> DataLoader[int, list[str]]:
        return loader(self.repos.customers.merged_external_ids)

    @cached_property
    def member_by_id(self) -> DataLoader[int, Member | None]:
        return loader(self.repos.members.get_many)

    @cached_property
    def member_by_customer_id(self) -> DataLoader[int, Member | None]:
        return loader(self.repos.members.by_customer_ids)

    @cached_property
    def pending_points_by_member_id(self) -> DataLoader[int, int]:
        return loader(lambda ids: self.repos.members.pending_points(ids, self.now()))

    @cached_property
    def subscriber_by_id(self) -> DataLoader[int, Subscriber | None]:
        return loader(self.repos.subscribers.get_many)

    @cached_property
    def page_by_id(self) -> DataLoader[int, Page | None]:
        return loader(self.repos.pages.get_many)

    @cached_property
    def thread_by_id(self) -> DataLoader[int, Thread | None]:
        return loader(self.repos.threads.get_many)

    @cached_property
    def segment_by_id(self) -> DataLoader[int, Segment | None]:
        return loader(SegmentRepository(self.repos.session, self.repos.shop_id).get_many)

    @cached_property
    def tag_by_id(self) -> DataLoader[int, Tag | None]:
        return loader(self.repos.tags.get_many)

    @cached_property
    def tag_folder_by_id(self) -> DataLoader[int, TagFolder | None]:
        return loader(self.repos.tag_folders.get_many)

    @cached_property
    def tags_by_customer_id(self) -> DataLoader[int, list[Tag]]:
        return loader(self.repos.tags.for_customers)

    @cached_property
    def tags_by_subscriber_id(self) -> DataLoader[int, list[Tag]]:
        return loader(
            lambda ids: self.repos.tags.for_owners(t.subscriber_tag, "subscriber_id", ids)
        )

    @cached_property
    def tags_by_thread_id(self) -> DataLoader[int, list[Tag]]:
        return loader(lambda ids: self.repos.tags.for_owners(t.thread_tag, "thread_id", ids))

    @cached_property
    def ref_links_by_subscriber_id(self) -> DataLoader[int, list[RefLinkOpen]]:
        return loader(self.repos.subscriber_profiles.ref_links)

    @cached_property
    def otn_topics_by_subscriber_id(self) -> DataLoader[int, list[OtnTopic]]:
        return loader(self.repos.subscriber_profiles.otn_topics)

    @cached_property
    def custom_fields_by_subscriber_id(self) -> DataLoader[int, list[CustomFieldValue]]:
        return loader(self.repos.subscriber_profiles.custom_fields)

    @cached_property
    def enrolments_by_subscriber_id(self) -> DataLoader[int, list[Enrolment]]:
        return loader(self.repos.subscriber_profiles.enrolments)

    @cached_property
    def threads_by_subscriber_id(self) -> DataLoader[int, list[Thread]]:
        return loader(self.repos.subscriber_profiles.threads)
