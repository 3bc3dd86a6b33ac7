"""Thread actions: chatbot pause, read, assign, reply; channel capabilities (C6, C10, C12)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from domain.channel import CAPABILITIES
from domain.conversation import MessageType as DomainMessageType
from domain.conversation import check_reply_body
from domain.errors import DomainError
from domain.inbox import refuse_bulk_in_merge_mode, refuse_mark_all_in_merge_mode
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, node_ids, perform
from graph.types.conversation import Thread
from graph.types.enums import MessageType, PageChannel
from infra.automation import on_chatbot_paused
from infra.repositories.thread_actions import ThreadActions

MAX_BODY = 2000


@strawberry.type(description="What staff can do in threads of a channel (SPEC C10).")
class ChannelCapabilities:
    channel: PageChannel = strawberry.field(description="The channel.")  # type: ignore[valid-type]
    message_types: list[MessageType] = strawberry.field(  # type: ignore[valid-type]
        description="Message types a reply may have."
    )
    can_create_order: bool = strawberry.field(
        description="Whether orders can be created from a thread."
    )
    syncs_customer_details: bool = strawberry.field(
        description="Whether the person's details come from the channel; when false they are "
        "edited by hand."
    )


@strawberry.type(description="A message the shop sent.")
class SentMessage:
    id: int = strawberry.field(description="Id of the message.")
    type: MessageType = strawberry.field(description="What it carries.")  # type: ignore[valid-type]
    body: str | None = strawberry.field(description="Text, or the URL of an image.")
    sent_at: datetime = strawberry.field(description="When it was sent.")


@strawberry.input(description="Pause or resume the chatbot in one thread.")
class ThreadChatbotPauseInput:
    thread_id: relay.GlobalID = strawberry.field(description="The thread.")
    paused: bool = strawberry.field(description="True pauses the chatbot, false resumes it.")


@strawberry.input(description="Threads to act on (one at a time in merge mode, SPEC C12).")
class ThreadsInput:
    thread_ids: list[relay.GlobalID] = strawberry.field(description="The threads.")


@strawberry.input(description="Assign threads to a staff member, or unassign them.")
class ThreadAssignInput:
    thread_ids: list[relay.GlobalID] = strawberry.field(
        description="The threads (one at a time in merge mode, SPEC C12)."
    )
    staff_id: int | None = strawberry.field(description="The staff member; null unassigns.")


@strawberry.input(description='"Mark all as read" for one page (not available in merge mode).')
class ThreadMarkAllReadInput:
    page_id: relay.GlobalID = strawberry.field(description="The page.")


@strawberry.input(description="A reply in a thread.")
class ThreadReplyInput:
    thread_id: relay.GlobalID = strawberry.field(description="The thread.")
    type: MessageType = strawberry.field(  # type: ignore[valid-type]
        default=DomainMessageType.TEXT,
        description="Message type; Shopee accepts only TEXT, IMAGE and EMOJI (SPEC C10).",
    )
    body: str = strawberry.field(
        description="Text, emoji, or the http(s) URL of an image or file (another scheme is"
        " INVALID)."
    )


@strawberry.type(description="Result of an action on threads.")
class ThreadsPayload:
    threads: list[Thread] = strawberry.field(description="The threads after the action.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description='Result of "mark all as read".')
class ThreadMarkAllReadPayload:
    marked: int = strawberry.field(description="Threads that had unread messages.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of a reply.")
class ThreadReplyPayload:
    thread: Thread | None = strawberry.field(description="The thread, now answered.")
    message: SentMessage | None = strawberry.field(description="The stored outgoing message.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


def _actions(info: Info) -> ThreadActions:
    return ThreadActions(info.context.session, info.context.shop_id)


async def _merge_mode(info: Info) -> bool:
    return await info.context.repos.inbox.merge_mode(info.context.viewer.staff_id)


async def _selection(info: Info, values: list[relay.GlobalID]) -> list[int]:
    ids = list(dict.fromkeys(node_ids(values, "Thread", field="input.threadIds")))
    if not ids:
        raise DomainError("Choose at least one thread.", field="input.threadIds")
    if len(ids) > 1:
        refuse_bulk_in_merge_mode(await _merge_mode(info), len(ids), field="input.threadIds")
    return ids


def _threads(result: list[Thread] | None, errors: list[UserError]) -> ThreadsPayload:
    return ThreadsPayload(threads=result or [], user_errors=errors)


def channel_capabilities() -> list[ChannelCapabilities]:
    return [
        ChannelCapabilities(
            channel=channel,
            message_types=sorted(caps.message_types),
            can_create_order=caps.can_create_order,
            syncs_customer_details=caps.syncs_customer_details,
        )
        for channel, caps in CAPABILITIES.items()
    ]


@strawberry.type
class ThreadMutation:
    @strawberry.mutation(description="Pause or resume the chatbot in one thread (SPEC C6).")
    async def thread_chatbot_pause(
        self, info: Info, input: ThreadChatbotPauseInput
    ) -> ThreadsPayload:
        async def run() -> list[Thread]:
            thread_id = node_id(input.thread_id, "Thread", field="input.threadId")
            thread = await _actions(info).set_paused(thread_id, input.paused)
            await on_chatbot_paused(
                info.context.session, info.context.shop_id, [thread_id], paused=input.paused
            )
            return [Thread.from_domain(thread)]

        return _threads(*await perform(info, run))

    @strawberry.mutation(
        description="Mark threads as read; several at once only without merge mode."
    )
    async def thread_mark_read(self, info: Info, input: ThreadsInput) -> ThreadsPayload:
        async def run() -> list[Thread]:
            ids = await _selection(info, input.thread_ids)
            return [Thread.from_domain(th) for th in await _actions(info).mark_read(ids)]

        return _threads(*await perform(info, run))

    @strawberry.mutation(
        description='"Mark all as read" for a page; refused in merge mode (SPEC C12).'
    )
    async def thread_mark_all_read(
        self, info: Info, input: ThreadMarkAllReadInput
    ) -> ThreadMarkAllReadPayload:
        async def run() -> int:
            refuse_mark_all_in_merge_mode(await _merge_mode(info), field="input")
            page_id = node_id(input.page_id, "Page", field="input.pageId")
            return await _actions(info).mark_page_read(page_id)

        marked, errors = await perform(info, run)
        return ThreadMarkAllReadPayload(marked=marked or 0, user_errors=errors)

    @strawberry.mutation(description="Assign threads to a staff member; null unassigns.")
    async def thread_assign(self, info: Info, input: ThreadAssignInput) -> ThreadsPayload:
        async def run() -> list[Thread]:
            ids = await _selection(info, input.thread_ids)
            found = await _actions(info).assign(ids, input.staff_id)
            return [Thread.from_domain(th) for th in found]

        return _threads(*await perform(info, run))

    @strawberry.mutation(
        description="Reply in a thread: the outgoing message is stored and the thread is "
        "answered. A type the channel does not accept is UNSUPPORTED_BY_CHANNEL (SPEC C10)."
    )
    async def thread_reply(self, info: Info, input: ThreadReplyInput) -> ThreadReplyPayload:
        async def run() -> tuple[Thread, SentMessage]:
            thread_id = node_id(input.thread_id, "Thread", field="input.threadId")
            body = input.body.strip()
            if not body or len(body) > MAX_BODY:
                raise DomainError(
                    f"A reply needs a body of 1 to {MAX_BODY} characters.", field="input.body"
                )
            kind = DomainMessageType(input.type)
            thread, message = await _actions(info).reply(
                thread_id,
                kind=kind,
                body=check_reply_body(kind, body, "input.body"),
                staff_id=info.context.viewer.staff_id,
                now=info.context.now(),
            )
            sent = SentMessage(
                id=message.id, type=message.type, body=message.body, sent_at=message.sent_at
            )
            return Thread.from_domain(thread), sent

        result, errors = await perform(info, run)
        thread, message = result if result is not None else (None, None)
        return ThreadReplyPayload(thread=thread, message=message, user_errors=errors)
