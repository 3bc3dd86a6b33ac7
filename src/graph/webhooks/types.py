"""Webhook subscriptions, events, deliveries and attempts as GraphQL types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from domain import webhook as domain
from graph.context import Info
from graph.types.common import Node, resolve_many

DeliveryStatus = strawberry.enum(
    domain.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: waiting for its next attempt; DELIVERED: a receiver answered 2xx; "
    "FAILED: every attempt failed, or its URL is refused (`WebhookSubscription.urlRefused`).",
)


@strawberry.type(description="Where the shop's events are POSTed, signed with its secret.")
class WebhookSubscription(Node):
    id: relay.NodeID[int]
    url: str = strawberry.field(description="The receiver's URL (HTTPS, or HTTP on loopback).")
    event_types: list[str] = strawberry.field(
        description="Event types it receives, e.g. `tag.added`; empty: every type."
    )
    active: bool = strawberry.field(description="Inactive subscriptions receive nothing.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @strawberry.field(
        description="Why deliveries to `url` are refused under this install's settings, "
        "without connecting (a private address saved while `WEBHOOK_LOCAL_NETWORK` was on); "
        "null when they are not. Its deliveries then fail at their next attempt."
    )
    def url_refused(self, info: Info) -> str | None:
        return domain.url_refusal(
            self.url, local_network=info.context.settings.webhook_local_network
        )

    @classmethod
    def from_domain(cls, s: domain.Subscription) -> WebhookSubscription:
        return cls(
            id=s.id,
            url=s.url,
            event_types=list(s.event_types),
            active=s.active,
            created_at=s.created_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[WebhookSubscription | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.subscription_by_id.load_many(ids),
            cls.from_domain,
        )


@strawberry.type(description="Something that happened in the shop, written to the outbox.")
class Event(Node):
    id: relay.NodeID[int]
    type: str = strawberry.field(description="E.g. `tag.added`, `customer.merged`.")
    payload: JSON = strawberry.field(description="The `data` receivers get.")
    created_at: datetime = strawberry.field(description="When it happened.")
    dispatched_at: datetime | None = strawberry.field(
        description="When its deliveries were created; null until the worker picks it up."
    )

    @classmethod
    def from_domain(cls, e: domain.Event) -> Event:
        return cls(
            id=e.id,
            type=e.type,
            payload=cast(JSON, e.payload),
            created_at=e.created_at,
            dispatched_at=e.dispatched_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Event | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.event_by_id.load_many(ids),
            cls.from_domain,
        )


@strawberry.type(description="One POST to a receiver and how it went.")
class WebhookAttempt:
    attempted_at: datetime = strawberry.field(description="When it was made.")
    status_code: int | None = strawberry.field(description="HTTP status; null without answer.")
    error: str | None = strawberry.field(description="Why it failed; null when delivered.")
    duration_ms: int | None = strawberry.field(description="How long the receiver took.")

    @classmethod
    def from_domain(cls, a: domain.Attempt) -> WebhookAttempt:
        return cls(
            attempted_at=a.attempted_at,
            status_code=a.status_code,
            error=a.error,
            duration_ms=a.duration_ms,
        )


@strawberry.type(description="An event on its way to one subscription, retried with backoff.")
class WebhookDelivery(Node):
    id: relay.NodeID[int]
    status: DeliveryStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    attempt_count: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(description="HTTP status of the last one.")
    last_error: str | None = strawberry.field(description="Error of the last attempt.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once delivered or failed."
    )
    delivered_at: datetime | None = strawberry.field(description="When a receiver took it.")
    created_at: datetime = strawberry.field(description="When it was created.")
    event_id: strawberry.Private[int]
    subscription_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, d: domain.Delivery) -> WebhookDelivery:
        return cls(
            id=d.id,
            status=d.status,
            attempt_count=d.attempts,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
            event_id=d.event_id,
            subscription_id=d.subscription_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[WebhookDelivery | None]:
        return await resolve_many(
            info,
            node_ids,
            lambda i, ids: i.context.loaders.integrations.delivery_by_id.load_many(ids),
            cls.from_domain,
        )

    @strawberry.field(description="The event being delivered.")
    async def event(self, info: Info) -> Event | None:
        found = await info.context.loaders.integrations.event_by_id.load(self.event_id)
        return Event.from_domain(found) if found is not None else None

    @strawberry.field(description="The subscription it goes to.")
    async def subscription(self, info: Info) -> WebhookSubscription | None:
        loaders = info.context.loaders.integrations
        found = await loaders.subscription_by_id.load(self.subscription_id)
        return WebhookSubscription.from_domain(found) if found is not None else None

    @strawberry.field(description="Every attempt, oldest first (at most 8).")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        loaders = info.context.loaders.integrations
        return [
            WebhookAttempt.from_domain(a)
            for a in await loaders.attempts_by_delivery_id.load(self.id)
        ]
