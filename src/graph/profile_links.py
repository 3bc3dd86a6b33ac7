"""X1: the phones and e-mails on which nothing links, because several customers share them."""

from __future__ import annotations

import json

import strawberry

from domain.profile_link import ContactKind, SharedContact
from graph.context import Info
from graph.errors import bad_input
from graph.pagination import (
    After,
    Connection,
    First,
    connection,
    decode_cursor,
    page_size,
    wants_items,
)
from graph.types.customer import Customer, preload_tags
from graph.types.subscriber import Subscriber
from infra.repositories.base import Page
from infra.repositories.profile_links import ProfileLinkRepository

ContactKindEnum = strawberry.enum(
    ContactKind, name="ContactKind", description="A phone number or an e-mail address."
)


def _cursor_key(contact: SharedContact) -> str:
    return json.dumps(list(contact.key), ensure_ascii=False)


def _decode(after: str | None) -> tuple[str, str] | None:
    if after is None:
        return None
    raw = decode_cursor(after)
    try:
        kind, value = json.loads(raw)
        ContactKind(kind)
    except (ValueError, TypeError):
        raise bad_input(
            "Not a cursor of this list: pass an `endCursor` from a page.", field="after"
        ) from None
    return str(kind), str(value)


@strawberry.type(
    description="A normalised phone or e-mail shared by several customers: no subscriber is "
    "linked on it, since which customer it belongs to cannot be told (reported, never guessed)."
)
class SharedContactNode:
    kind: ContactKindEnum = strawberry.field(description="Phone or e-mail.")  # type: ignore[valid-type]
    value: str = strawberry.field(
        description="The normalised value (10-digit national phone, lower-case e-mail)."
    )
    customer_count: int = strawberry.field(description="How many customers share it.")
    customer_ids: strawberry.Private[tuple[int, ...]]
    subscriber_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field(description="The customers sharing it, oldest first.")
    async def customers(self, info: Info) -> list[Customer]:
        found = await info.context.loaders.customer_by_id.load_many(list(self.customer_ids))
        customers = [Customer.from_domain(c, info) for c in found if c is not None]
        await preload_tags(info, customers, paths=((),))
        return customers

    @strawberry.field(
        description="Subscribers with this contact that are linked to no customer, oldest first."
    )
    async def unlinked_subscribers(self, info: Info) -> list[Subscriber]:
        found = await info.context.loaders.subscriber_by_id.load_many(list(self.subscriber_ids))
        return [Subscriber.from_domain(s) for s in found if s is not None]

    @classmethod
    def from_domain(cls, contact: SharedContact) -> SharedContactNode:
        return cls(
            kind=contact.kind,
            value=contact.value,
            customer_count=len(contact.customer_ids),
            customer_ids=contact.customer_ids,
            subscriber_ids=contact.unlinked_subscriber_ids,
        )


@strawberry.type
class ProfileLinkQuery:
    @strawberry.field(
        description="Phones and e-mails shared by several customers, on which profiles are not "
        "linked (X1); e-mails first, then phones, each in value order."
    )
    async def shared_contacts(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[SharedContactNode]:
        size = page_size(first, info.context.settings.max_page_size)
        repo = ProfileLinkRepository(info.context.session, info.context.shop_id)
        page: Page[SharedContact] = Page([], has_next=False)
        if wants_items(info):  # a count alone reads no page
            page = await repo.page(first=size, after=_decode(after))
        return connection(
            [SharedContactNode.from_domain(c) for c in page.items],
            keys=[_cursor_key(c) for c in page.items],
            has_next=page.has_next,
            has_previous=after is not None,
            count=repo.count,
        )
