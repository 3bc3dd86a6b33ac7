"""Create, change and delete webhook subscriptions; the secret is shown only when set (X3)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from domain.errors import DomainError
from domain.webhook import check_can_manage, check_event_types, check_secret, check_url, new_secret
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, perform
from graph.webhooks.types import WebhookSubscription
from infra.repositories.webhook_admin import WebhookAdmin


@strawberry.input(description="A new webhook subscription.")
class WebhookSubscriptionCreateInput:
    url: str = strawberry.field(
        description="HTTPS URL of a public receiver. Private, loopback and link-local hosts are"
        " refused unless the install allows its own network (then plain http too, to 127.0.0.1,"
        " localhost and [::1])."
    )
    event_types: list[str] = strawberry.field(
        default_factory=list,
        description="Event types to receive (`tag.added`, `tag.removed`, "
        "`segment.member_entered`, `segment.member_left`, `sequence.step_due`, "
        "`customer.merged`); empty: all.",
    )
    secret: str | None = strawberry.field(
        default=None,
        description="Signing secret (16–200 characters); omit to have one generated.",
    )
    active: bool = strawberry.field(default=True, description="Whether it receives events.")


@strawberry.input(description="Change a subscription; omitted fields stay as they are.")
class WebhookSubscriptionUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The subscription.")
    url: str | None = strawberry.field(default=None, description="New URL.")
    event_types: list[str] | None = strawberry.field(
        default=None, description="New event types; empty: all."
    )
    active: bool | None = strawberry.field(default=None, description="Pause or resume it.")
    secret: str | None = strawberry.field(default=None, description="A new secret of your own.")
    rotate_secret: bool = strawberry.field(
        default=False, description="Generate a new secret (returned once in the payload)."
    )


@strawberry.input(description="Delete a subscription with its deliveries.")
class WebhookSubscriptionDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The subscription.")


@strawberry.type(description="Result of creating or changing a webhook subscription.")
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None = strawberry.field(
        description="The subscription, on success."
    )
    secret: str | None = strawberry.field(
        description="The signing secret, only when it was just set: store it now, it is not "
        "shown again."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of deleting a webhook subscription.")
class WebhookSubscriptionDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="Id of the deleted one.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


def _url(info: Info, url: str) -> str:
    return check_url(
        url, field="input.url", local_network=info.context.settings.webhook_local_network
    )


def _admin(info: Info) -> WebhookAdmin:
    check_can_manage(info.context.viewer.role)
    return WebhookAdmin(info.context.session, info.context.shop_id)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Subscribe a receiver to the shop's events (SPEC X3).")
    async def webhook_subscription_create(
        self, info: Info, input: WebhookSubscriptionCreateInput
    ) -> WebhookSubscriptionPayload:
        async def run() -> tuple[WebhookSubscription, str]:
            admin = _admin(info)
            url = _url(info, input.url)
            types = check_event_types(input.event_types, field="input.eventTypes")
            secret = (
                new_secret()
                if input.secret is None
                else check_secret(input.secret, field="input.secret")
            )
            created = await admin.create(
                url=url, event_types=types, secret=secret, active=input.active
            )
            return WebhookSubscription.from_domain(created), secret

        result, errors = await perform(info, run)
        return WebhookSubscriptionPayload(
            subscription=result[0] if result else None,
            secret=result[1] if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(description="Change a subscription's URL, events, state or secret.")
    async def webhook_subscription_update(
        self, info: Info, input: WebhookSubscriptionUpdateInput
    ) -> WebhookSubscriptionPayload:
        async def run() -> tuple[WebhookSubscription, str | None]:
            admin = _admin(info)
            subscription_id = node_id(input.id, "WebhookSubscription", field="input.id")
            values: dict[str, Any] = {}
            if input.url is not None:
                values["url"] = _url(info, input.url)
            if input.event_types is not None:
                values["event_types"] = list(
                    check_event_types(input.event_types, field="input.eventTypes")
                )
            if input.active is not None:
                values["active"] = input.active
            if input.secret is not None and input.rotate_secret:
                raise DomainError("Give a secret or rotateSecret, not both.", field="input.secret")
            if input.secret is not None:
                values["secret"] = check_secret(input.secret, field="input.secret")
            elif input.rotate_secret:
                values["secret"] = new_secret()
            updated = await admin.update(subscription_id, **values)
            return WebhookSubscription.from_domain(updated), values.get("secret")

        result, errors = await perform(info, run)
        return WebhookSubscriptionPayload(
            subscription=result[0] if result else None,
            secret=result[1] if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(description="Delete a subscription; its events stay in the outbox.")
    async def webhook_subscription_delete(
        self, info: Info, input: WebhookSubscriptionDeleteInput
    ) -> WebhookSubscriptionDeletePayload:
        async def run() -> None:
            admin = _admin(info)
            await admin.delete(node_id(input.id, "WebhookSubscription", field="input.id"))

        _, errors = await perform(info, run)
        return WebhookSubscriptionDeletePayload(
            deleted_id=None if errors else input.id, user_errors=errors
        )
