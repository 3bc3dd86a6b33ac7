"""Mutations on pages: connect, reconnect, disconnect, lose the connection, dismiss (SPEC C13)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.errors import DomainError
from domain.ingest import required_code
from domain.page import PageAction, check_allowed
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, perform
from graph.types.enums import PageChannel
from graph.types.subscriber import Page
from infra.repositories.pages import PageAdmin


@strawberry.input(description="A page to connect (or to connect again) to the shop.")
class PageConnectInput:
    channel: PageChannel = strawberry.field(description="The page's channel.")  # type: ignore[valid-type]
    external_id: str = strawberry.field(description="Id of the page on its platform.")
    name: str = strawberry.field(description="Page name.")
    avatar_url: str | None = strawberry.field(default=None, description="Page picture.")


@strawberry.input(description="The page to act on.")
class PageInput:
    page_id: relay.GlobalID = strawberry.field(description="The page.")


@strawberry.type(description="Result of a page mutation.")
class PagePayload:
    page: Page | None = strawberry.field(description="The page, on success.")
    first_connection: bool = strawberry.field(
        description="True when this connected the page for the first time (defaults installed)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


def _admin(info: Info) -> PageAdmin:
    return PageAdmin(info.context.session, info.context.shop_id)


async def _transition(info: Info, data: PageInput, action: PageAction) -> PagePayload:
    async def run() -> Page:
        check_allowed(info.context.viewer, action)
        page_id = node_id(data.page_id, "Page", field="input.pageId")
        page = await _admin(info).transition(page_id, action, info.context.now())
        return Page.from_domain(page)

    page, errors = await perform(info, run)
    return PagePayload(page=page, first_connection=False, user_errors=errors)


@strawberry.type
class PageMutation:
    @strawberry.mutation(
        description="Connect a page. On its first connection the default tag folders and tags "
        "are created for it (SPEC T2); a page connected before is reconnected."
    )
    async def page_connect(self, info: Info, input: PageConnectInput) -> PagePayload:
        async def run() -> tuple[Page, bool]:
            check_allowed(info.context.viewer, PageAction.CONNECT)
            name = " ".join(input.name.split())
            if not name:
                raise DomainError("A page needs a name.", field="input.name")
            page, first = await _admin(info).connect(
                channel=input.channel,
                external_id=required_code(
                    input.external_id, "input.externalId", "A page's external id"
                ),
                name=name,
                avatar_url=input.avatar_url,
                now=info.context.now(),
            )
            return Page.from_domain(page), first

        result, errors = await perform(info, run)
        page, first = result if result is not None else (None, False)
        return PagePayload(page=page, first_connection=first, user_errors=errors)

    @strawberry.mutation(description="Reconnect a page that lost its connection (SPEC C13).")
    async def page_reconnect(self, info: Info, input: PageInput) -> PagePayload:
        return await _transition(info, input, PageAction.RECONNECT)

    @strawberry.mutation(
        description="Disconnect a page: remove it from the account and every merged inbox "
        "(SPEC C13). With no page left the account is back in the introduction state."
    )
    async def page_disconnect(self, info: Info, input: PageInput) -> PagePayload:
        return await _transition(info, input, PageAction.DISCONNECT)

    @strawberry.mutation(
        description="Record that a page lost its connection (e.g. its access token expired); "
        "staff then see a notice."
    )
    async def page_mark_lost(self, info: Info, input: PageInput) -> PagePayload:
        return await _transition(info, input, PageAction.MARK_LOST)

    @strawberry.mutation(
        description="Dismiss the lost-connection notice of a page; every role may (SPEC C13)."
    )
    async def page_notice_dismiss(self, info: Info, input: PageInput) -> PagePayload:
        return await _transition(info, input, PageAction.DISMISS)
