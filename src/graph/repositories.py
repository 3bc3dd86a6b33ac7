"""The repositories of one request, scoped to the caller's shop."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from infra.repositories.customers import CustomerRepository
from infra.repositories.inbox import InboxRepository
from infra.repositories.members import MemberRepository
from infra.repositories.shop import ShopRepository
from infra.repositories.social import (
    MessageRepository,
    PageRepository,
    SubscriberRepository,
    TagFolderRepository,
    TagRepository,
    ThreadRepository,
)
from infra.repositories.subscriber_profile import SubscriberProfileRepository


@dataclass
class Repositories:
    session: AsyncSession
    shop_id: int

    @cached_property
    def shop(self) -> ShopRepository:
        return ShopRepository(self.session, self.shop_id)

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self.session, self.shop_id)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.session, self.shop_id)

    @cached_property
    def subscribers(self) -> SubscriberRepository:
        return SubscriberRepository(self.session, self.shop_id)

    @cached_property
    def pages(self) -> PageRepository:
        return PageRepository(self.session, self.shop_id)

    @cached_property
    def tags(self) -> TagRepository:
        return TagRepository(self.session, self.shop_id)

    @cached_property
    def tag_folders(self) -> TagFolderRepository:
        return TagFolderRepository(self.session, self.shop_id)

    @cached_property
    def threads(self) -> ThreadRepository:
        return ThreadRepository(self.session, self.shop_id)

    @cached_property
    def messages(self) -> MessageRepository:
        return MessageRepository(self.session, self.shop_id)

    @cached_property
    def inbox(self) -> InboxRepository:
        return InboxRepository(self.session, self.shop_id)

    @cached_property
    def subscriber_profiles(self) -> SubscriberProfileRepository:
        return SubscriberProfileRepository(self.session, self.shop_id)
