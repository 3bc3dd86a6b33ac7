"""Bulk upserts of subscribers, threads and messages (X5)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.conversation import Direction as DomainDirection
from domain.conversation import MessageType as DomainMessageType
from domain.conversation import ThreadKind as DomainThreadKind
from domain.custom_fields import CustomFieldItem, definition
from domain.custom_fields import CustomFieldType as DomainCustomFieldType
from domain.ingest_social import MessageItem, SubscriberItem, ThreadItem
from graph.context import Info
from graph.errors import UserError
from graph.integrations.bulk import BulkUpsertPayload, run_batch
from graph.mutations import perform
from graph.types.enums import Direction, Gender, MessageType, ThreadKind
from infra.ingest.social import upsert_messages, upsert_subscribers, upsert_threads
from infra.repositories.custom_fields import CustomFieldRepository

CustomFieldType = strawberry.enum(
    DomainCustomFieldType, name="CustomFieldType", description="What a custom field holds."
)


@strawberry.input(description="A subscriber's value of one custom field.")
class CustomFieldValueInput:
    key: str = strawberry.field(description="The field's key (see `customFieldDefine`).")
    value: str | None = strawberry.field(
        description="As text: numbers like 38 or 12.5, dates as YYYY-MM-DD; null or blank "
        "removes the value."
    )


@strawberry.input(description="A custom field of the shop's subscribers.")
class CustomFieldDefineInput:
    key: str = strawberry.field(description="a-z, 0-9 and _, e.g. `so_di_dong`.")
    label: str = strawberry.field(description="Name shown to staff, e.g. `Số di động`.")
    type: CustomFieldType = strawberry.field(  # type: ignore[valid-type]
        description="TEXT, NUMBER, DATE or PHONE (stored in its 10-digit form, matched as phones "
        "are); fixed once defined."
    )


@strawberry.type(description="A custom field as defined.")
class CustomFieldDefinition:
    key: str = strawberry.field(description="Key to give in values and in `customField` filters.")
    label: str = strawberry.field(description="Name shown to staff.")
    type: CustomFieldType = strawberry.field(description="What it holds.")  # type: ignore[valid-type]


@strawberry.type(description="Result of `customFieldDefine`.")
class CustomFieldDefinePayload:
    custom_field: CustomFieldDefinition | None = strawberry.field(
        description="The field, unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.input(description="A subscriber keyed by its id in the partner system.")
class SubscriberUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    page_external_id: str = strawberry.field(description="External id of the connected page.")
    platform_user_id: str = strawberry.field(
        description="The person's id on the platform (page-scoped id on Facebook)."
    )
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    full_name: str | None = strawberry.field(default=None, description="Full name.")
    gender: Gender | None = strawberry.field(default=None, description="Gender.")  # type: ignore[valid-type]
    phone: str | None = strawberry.field(default=None, description="Phone in any usual form.")
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    avatar_url: str | None = strawberry.field(default=None, description="Avatar URL.")
    subscribed: bool | None = strawberry.field(
        default=None, description="Subscription status (true for new subscribers when absent)."
    )
    last_interaction_at: datetime | None = strawberry.field(
        default=None, description="Last interaction with the chatbot."
    )
    signed_up_at: datetime | None = strawberry.field(
        default=None, description="When the person first messaged the page."
    )
    store_name: str | None = strawberry.field(
        default=None, description="Store whose QR code the person scanned."
    )
    store_code: str | None = strawberry.field(default=None, description="That store's code.")
    customer_code: str | None = strawberry.field(
        default=None, description="Customer code the person gave."
    )
    customer_name: str | None = strawberry.field(
        default=None, description="Customer name the person gave."
    )
    last_source: str | None = strawberry.field(default=None, description="Last source.")
    last_page_source: str | None = strawberry.field(
        default=None, description="Web page the person last started a chat from."
    )
    utm_source: str | None = strawberry.field(default=None, description="utm_source (cookie).")
    utm_medium: str | None = strawberry.field(default=None, description="utm_medium (cookie).")
    utm_campaign: str | None = strawberry.field(default=None, description="utm_campaign (cookie).")
    custom_fields: list[CustomFieldValueInput] | None = strawberry.field(
        default=None,
        description="Values of the shop's custom fields; fields not listed keep their value.",
    )
    otn_topics: list[str] | None = strawberry.field(
        default=None,
        description="Every one-time-notification (OTN) topic the person is subscribed to now: "
        "topics not listed are unsubscribed, new ones subscribed now; `[]` clears them, "
        "absent keeps them. At most 50, each 1 to 200 characters.",
    )


@strawberry.input(description="A batch of at most 1,000 subscribers.")
class SubscriberBulkUpsertInput:
    items: list[SubscriberUpsertInput] = strawberry.field(description="The subscribers.")


@strawberry.input(description="A conversation thread keyed by its id in the partner system.")
class ThreadUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    subscriber_external_id: str = strawberry.field(
        description="External id of the subscriber; the thread's page is the subscriber's."
    )
    last_message_at: datetime = strawberry.field(description="Time of the newest message.")
    kind: ThreadKind = strawberry.field(  # type: ignore[valid-type]
        default=DomainThreadKind.MESSAGE, description="Private messages or comments."
    )
    unread_count: int | None = strawberry.field(default=None, description="Unread messages.")
    answered: bool | None = strawberry.field(default=None, description="Whether answered.")


@strawberry.input(description="A batch of at most 1,000 threads.")
class ThreadBulkUpsertInput:
    items: list[ThreadUpsertInput] = strawberry.field(description="The threads.")


@strawberry.input(description="A message keyed by its id in the partner system.")
class MessageUpsertInput:
    external_id: str = strawberry.field(description="Id in the partner system (the key).")
    thread_external_id: str = strawberry.field(description="External id of the thread.")
    direction: Direction = strawberry.field(description="IN from the person, OUT from the shop.")  # type: ignore[valid-type]
    sent_at: datetime = strawberry.field(description="When it was sent.")
    type: MessageType = strawberry.field(  # type: ignore[valid-type]
        default=DomainMessageType.TEXT,
        description="What it carries; Shopee threads accept only TEXT, IMAGE and EMOJI.",
    )
    body: str | None = strawberry.field(default=None, description="Text, or the media URL.")


@strawberry.input(description="A batch of at most 1,000 messages.")
class MessageBulkUpsertInput:
    items: list[MessageUpsertInput] = strawberry.field(description="The messages.")


@strawberry.type
class SocialIngestMutation:
    @strawberry.mutation(
        description="Create or update subscribers by external id; links customers (X1)."
    )
    async def subscriber_bulk_upsert(
        self, info: Info, input: SubscriberBulkUpsertInput
    ) -> BulkUpsertPayload:
        batch = [
            SubscriberItem(
                **{
                    **vars(item),
                    "custom_fields": None
                    if item.custom_fields is None
                    else tuple(CustomFieldItem(v.key, v.value) for v in item.custom_fields),
                    "otn_topics": None if item.otn_topics is None else tuple(item.otn_topics),
                }
            )
            for item in input.items
        ]
        ctx = info.context
        return await run_batch(
            info,
            "Subscriber",
            lambda: upsert_subscribers(ctx.session, ctx.shop_id, batch, ctx.now()),
        )

    @strawberry.mutation(
        description="Define a custom field of the shop's subscribers, or relabel one."
    )
    async def custom_field_define(
        self, info: Info, input: CustomFieldDefineInput
    ) -> CustomFieldDefinePayload:
        async def act() -> CustomFieldDefinition:
            field = definition(input.key, input.label, DomainCustomFieldType(input.type))
            repo = CustomFieldRepository(info.context.session, info.context.shop_id)
            saved = await repo.define(field)
            return CustomFieldDefinition(key=saved.key, label=saved.label, type=saved.type)

        result, errors = await perform(info, act)
        return CustomFieldDefinePayload(custom_field=result, user_errors=errors)

    @strawberry.mutation(description="Create or update conversation threads by external id.")
    async def thread_bulk_upsert(
        self, info: Info, input: ThreadBulkUpsertInput
    ) -> BulkUpsertPayload:
        batch = [
            ThreadItem(**{**vars(item), "kind": DomainThreadKind(item.kind)})
            for item in input.items
        ]
        ctx = info.context
        return await run_batch(
            info, "Thread", lambda: upsert_threads(ctx.session, ctx.shop_id, batch, ctx.now())
        )

    @strawberry.mutation(
        description="Create or update messages by external id; thread state follows."
    )
    async def message_bulk_upsert(
        self, info: Info, input: MessageBulkUpsertInput
    ) -> BulkUpsertPayload:
        batch = [
            MessageItem(
                **{
                    **vars(item),
                    "direction": DomainDirection(item.direction),
                    "type": DomainMessageType(item.type),
                }
            )
            for item in input.items
        ]
        ctx = info.context
        return await run_batch(
            info, "Message", lambda: upsert_messages(ctx.session, ctx.shop_id, batch, ctx.now())
        )
