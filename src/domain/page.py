"""A page's connection and who may act on it (SPEC C13)."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Forbidden
from domain.staff import Principal
from domain.subscriber import ConnectionState


class PageAction(StrEnum):
    CONNECT = "connect"
    RECONNECT = "reconnect"
    DISCONNECT = "disconnect"
    MARK_LOST = "mark_lost"
    DISMISS = "dismiss"


def check_allowed(principal: Principal, action: PageAction) -> None:
    """Everyone may dismiss the notice; the rest needs a role that manages page connections."""
    if action is PageAction.DISMISS or principal.can_manage_page_connection:
        return
    raise Forbidden(
        f"The role {principal.role.value} may only dismiss the notice; the owner, shop "
        "administrator, social admin or default role can reconnect or disconnect a page.",
    )


def next_state(current: ConnectionState, action: PageAction) -> ConnectionState:
    """The state after ``action``; a page that was disconnected cannot lose its connection."""
    match action:
        case PageAction.CONNECT | PageAction.RECONNECT:
            return ConnectionState.CONNECTED
        case PageAction.DISCONNECT:
            return ConnectionState.DISCONNECTED
        case PageAction.MARK_LOST:
            if current is ConnectionState.DISCONNECTED:
                raise DomainError(
                    "A disconnected page cannot lose its connection; reconnect it first.",
                    code=ErrorCode.CONFLICT,
                    field="input.pageId",
                )
            return ConnectionState.LOST
        case PageAction.DISMISS:
            return current
