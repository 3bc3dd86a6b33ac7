"""Read webhook subscriptions, outbox events and deliveries, with status filters (X3)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement, true
from strawberry import relay

from domain.events import EventType
from domain.webhook import DeliveryStatus as DomainDeliveryStatus
from graph.context import Info
from graph.errors import bad_input
from graph.pagination import After, Connection, First
from graph.queries import list_page
from graph.types.common import query_id
from graph.webhooks.types import DeliveryStatus, Event, WebhookDelivery, WebhookSubscription
from infra import tables as t


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Webhook subscriptions of the shop, newest first.")
    async def webhook_subscriptions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WebhookSubscription]:
        repo = info.context.loaders.integrations.subscriptions
        return await list_page(info, repo, WebhookSubscription.from_domain, first, after)

    @strawberry.field(description="Events of the outbox, newest first.")
    async def events(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        type: Annotated[
            str | None,
            strawberry.argument(description="Only this type, e.g. `tag.added`."),
        ] = None,
        dispatched: Annotated[
            bool | None,
            strawberry.argument(
                description="true: fanned out to deliveries already; false: still waiting.",
            ),
        ] = None,
    ) -> Connection[Event]:
        e = t.event_outbox
        where: ColumnElement[bool] = true()
        if type is not None:
            if type not in {member.value for member in EventType}:
                raise bad_input(f'Unknown event type "{type}".', field="type")
            where = where & (e.c.type == type)
        if dispatched is not None:
            where = where & (
                e.c.dispatched_at.is_not(None) if dispatched else e.c.dispatched_at.is_(None)
            )
        repo = info.context.loaders.integrations.events
        return await list_page(info, repo, Event.from_domain, first, after, where)

    @strawberry.field(description="Deliveries of events to subscriptions, newest first.")
    async def webhook_deliveries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            DeliveryStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only deliveries in this status."),
        ] = None,
        subscription_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only deliveries to this subscription."),
        ] = None,
        event_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only deliveries of this event."),
        ] = None,
    ) -> Connection[WebhookDelivery]:
        d = t.webhook_delivery
        where: ColumnElement[bool] = true()
        if status is not None:
            where = where & (d.c.status == DomainDeliveryStatus(status).value)
        if subscription_id is not None:
            where = where & (
                d.c.subscription_id
                == query_id(subscription_id, "WebhookSubscription", field="subscriptionId")
            )
        if event_id is not None:
            where = where & (d.c.event_id == query_id(event_id, "Event", field="eventId"))
        repo = info.context.loaders.integrations.deliveries
        return await list_page(info, repo, WebhookDelivery.from_domain, first, after, where)
