"""Social pages and their subscribers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from domain import subscriber as domain
from graph.context import Info
from graph.types.common import Node, resolve_many
from graph.types.enums import ConnectionState, Gender, PageChannel
from graph.types.tag import Tag, tags

if TYPE_CHECKING:
    from graph.automation.types import SequenceEnrolment
    from graph.types.conversation import Thread
    from graph.types.customer import Customer


@strawberry.type(
    description="A connected social page: Facebook, Instagram, Zalo OA or Shopee chat."
)
class Page(Node):
    id: relay.NodeID[int]
    channel: PageChannel = strawberry.field(description="The page's channel.")  # type: ignore[valid-type]
    external_id: str = strawberry.field(description="Id of the page on its platform.")
    name: str = strawberry.field(description="Page name.")
    avatar_url: str | None = strawberry.field(description="Page picture.")
    connection_state: ConnectionState = strawberry.field(  # type: ignore[valid-type]
        description="Connected, lost (needs reconnecting) or disconnected."
    )
    first_connected_at: datetime = strawberry.field(description="First connection time.")
    notice_dismissed: bool = strawberry.field(
        default=False, description="Whether staff dismissed the lost-connection notice."
    )

    @classmethod
    def from_domain(cls, p: domain.Page) -> Page:
        return cls(
            id=p.id,
            channel=p.channel,
            external_id=p.external_id,
            name=p.name,
            avatar_url=p.avatar_url,
            connection_state=p.connection_state,
            first_connected_at=p.first_connected_at,
            notice_dismissed=p.notice_dismissed,
        )

    @classmethod
    async def load(cls, info: Info, page_id: int | None) -> Page | None:
        """The page with this id, batched with its siblings; None for no id or none found."""
        if page_id is None:
            return None
        found = await info.context.loaders.page_by_id.load(page_id)
        return cls.from_domain(found) if found else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Page | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.page_by_id.load_many(ids),
            cls.from_domain,
        )


@strawberry.type(description="A tracked chatbot link the subscriber opened (SPEC S3).")
class RefLink:
    ref: str = strawberry.field(description="The ref parameter of the link.")
    opened_at: datetime = strawberry.field(description="When the subscriber opened it.")


@strawberry.type(description="A one-time-notification topic the subscriber agreed to receive.")
class OtnSubscription:
    topic: str = strawberry.field(description="The topic.")
    subscribed_at: datetime = strawberry.field(description="When they agreed.")


@strawberry.type(description="The value of one of the shop's custom fields (SPEC S5).")
class CustomFieldEntry:
    key: str = strawberry.field(description="Key of the field, e.g. `province`.")
    label: str = strawberry.field(description="Label shown to staff, e.g. `Tỉnh thành`.")
    type: str = strawberry.field(description="`text`, `number` or `date`.")
    value: str | None = strawberry.field(
        description="The value as text whatever the type (numbers plain, dates ISO 8601)."
    )
    number_value: Decimal | None = strawberry.field(description="The value of a number field.")
    date_value: date | None = strawberry.field(description="The value of a date field.")


@strawberry.type(description="A person who messaged a connected page since the chatbot was set up.")
class Subscriber(Node):
    id: relay.NodeID[int]
    platform_user_id: str = strawberry.field(description="The person's id on the page's platform.")
    avatar_url: str | None = strawberry.field(description="Profile picture.")
    subscribed: bool = strawberry.field(description="Subscription status.")
    last_interaction_at: datetime | None = strawberry.field(
        description="Last interaction with the chatbot."
    )
    signed_up_at: datetime = strawberry.field(description="When the person first subscribed.")
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    full_name: str | None = strawberry.field(description="Full name.")
    gender: Gender = strawberry.field(description="Gender.")  # type: ignore[valid-type]
    phone: str | None = strawberry.field(description="Phone number, if shared.")
    email: str | None = strawberry.field(description="E-mail, if shared.")
    store_name: str | None = strawberry.field(description="Store whose QR code they scanned.")
    store_code: str | None = strawberry.field(description="Code of that store.")
    customer_code: str | None = strawberry.field(description="Customer code given by the shop.")
    customer_name: str | None = strawberry.field(description="Customer name given by the shop.")
    last_source: str | None = strawberry.field(description="Last source they came from.")
    last_page_source: str | None = strawberry.field(
        description='Web page they clicked "chat" from.'
    )
    utm_source: str | None = strawberry.field(description="utm_source from the cookie.")
    utm_medium: str | None = strawberry.field(description="utm_medium from the cookie.")
    utm_campaign: str | None = strawberry.field(description="utm_campaign from the cookie.")
    page_id: strawberry.Private[int]
    customer_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, s: domain.Subscriber) -> Subscriber:
        return cls(
            id=s.id,
            platform_user_id=s.platform_user_id,
            avatar_url=s.avatar_url,
            subscribed=s.subscribed,
            last_interaction_at=s.last_interaction_at,
            signed_up_at=s.signed_up_at,
            first_name=s.first_name,
            last_name=s.last_name,
            full_name=s.full_name,
            gender=s.gender,
            phone=s.phone,
            email=s.email,
            store_name=s.store_name,
            store_code=s.store_code,
            customer_code=s.customer_code,
            customer_name=s.customer_name,
            last_source=s.last_source,
            last_page_source=s.last_page_source,
            utm_source=s.utm_source,
            utm_medium=s.utm_medium,
            utm_campaign=s.utm_campaign,
            page_id=s.page_id,
            customer_id=s.customer_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Subscriber | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.subscriber_by_id.load_many(ids),
            cls.from_domain,
        )

    @classmethod
    async def load(cls, info: Info, subscriber_id: int) -> Subscriber | None:
        """The subscriber with this id, batched with its siblings; None when none is found."""
        found = await info.context.loaders.subscriber_by_id.load(subscriber_id)
        return cls.from_domain(found) if found else None

    @strawberry.field(description="The page the person subscribed to.")
    async def page(self, info: Info) -> Page:
        found = await Page.load(info, self.page_id)
        assert found is not None  # a foreign key guarantees it
        return found

    @strawberry.field(description="Tags attached to the subscriber.")
    async def tags(self, info: Info) -> list[Tag]:
        return tags(await info.context.loaders.tags_by_subscriber_id.load(self.id))

    @strawberry.field(
        description="The commerce customer linked by normalised phone or e-mail (one profile)."
    )
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graph.types.customer")] | None:
        from graph.types.customer import Customer

        return await Customer.load(info, self.customer_id)

    @strawberry.field(description="Tracked chatbot links the subscriber opened, newest first.")
    async def ref_links(self, info: Info) -> list[RefLink]:
        found = await info.context.loaders.ref_links_by_subscriber_id.load(self.id)
        return [RefLink(ref=r.ref, opened_at=r.opened_at) for r in found]

    @strawberry.field(description="One-time-notification topics the subscriber agreed to.")
    async def otn_topics(self, info: Info) -> list[OtnSubscription]:
        found = await info.context.loaders.otn_topics_by_subscriber_id.load(self.id)
        return [OtnSubscription(topic=o.topic, subscribed_at=o.subscribed_at) for o in found]

    @strawberry.field(description="Values of the shop's custom fields, by key.")
    async def custom_fields(self, info: Info) -> list[CustomFieldEntry]:
        found = await info.context.loaders.custom_fields_by_subscriber_id.load(self.id)
        return [
            CustomFieldEntry(
                key=v.key,
                label=v.label,
                type=v.type,
                value=v.display,
                number_value=v.number,
                date_value=v.day,
            )
            for v in found
        ]

    @strawberry.field(description="Care sequences the subscriber is or was enrolled in (SPEC S4).")
    async def sequence_enrolments(
        self, info: Info
    ) -> list[Annotated[SequenceEnrolment, strawberry.lazy("graph.automation.types")]]:
        from graph.automation.types import SequenceEnrolment

        found = await info.context.loaders.enrolments_by_subscriber_id.load(self.id)
        return [SequenceEnrolment.from_domain(e) for e in found]

    @strawberry.field(
        description='The subscriber\'s conversations, newest first: where "Chat now" leads '
        "(SPEC S1)."
    )
    async def threads(
        self, info: Info
    ) -> list[Annotated[Thread, strawberry.lazy("graph.types.conversation")]]:
        from graph.types.conversation import Thread

        found = await info.context.loaders.threads_by_subscriber_id.load(self.id)
        return [Thread.from_domain(th) for th in found]
