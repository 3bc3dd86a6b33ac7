"""Connecting pages, losing the connection, and what each role may do about it (T2, C13)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from domain.staff import Role
from domain.tag import DEFAULT_TAG_FOLDERS
from infra import tables as t
from tests.conftest import GraphQL, TokenMaker
from tests.factories import make_page

CONNECT = """
mutation($input: PageConnectInput!) {
  pageConnect(input: $input) {
    firstConnection
    page { id name connectionState }
    userErrors { field message code }
  }
}
"""
ACTIONS = {
    action: f"""
mutation($input: PageInput!) {{
  {action}(input: $input) {{
    page {{ connectionState noticeDismissed }}
    userErrors {{ field message code }}
  }}
}}
"""
    for action in ("pageReconnect", "pageDisconnect", "pageMarkLost", "pageNoticeDismiss")
}
SETTINGS = """
query { inboxSettings { introduction } }
"""
DEFAULT_TAGS = sum(len(names) for _, names in DEFAULT_TAG_FOLDERS)


async def tag_count(session: AsyncSession, page_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(t.tag).where(t.tag.c.page_id == page_id)
        )
        or 0
    )


@pytest.mark.spec("T2", "C13")
async def test_first_connection_creates_the_default_tags_exactly_once(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = {"channel": "FACEBOOK", "externalId": "fb-1", "name": "Shop Áo Dài"}
    first = (await gql(CONNECT, {"input": page}))["data"]["pageConnect"]
    assert first["userErrors"] == []
    assert first["firstConnection"] is True
    assert first["page"]["connectionState"] == "CONNECTED"
    page_id = int(
        await session.scalar(select(t.page.c.id).where(t.page.c.external_id == "fb-1")) or 0
    )
    assert await tag_count(session, page_id) == DEFAULT_TAGS

    await session.execute(t.tag.delete().where(t.tag.c.page_id == page_id, t.tag.c.name == "Spam"))
    await gql(ACTIONS["pageDisconnect"], {"input": {"pageId": first["page"]["id"]}})
    again = (await gql(CONNECT, {"input": page}))["data"]["pageConnect"]
    assert again["firstConnection"] is False
    assert again["page"]["connectionState"] == "CONNECTED"
    assert await tag_count(session, page_id) == DEFAULT_TAGS - 1


@pytest.mark.spec("C13")
async def test_lost_connection_then_reconnect_and_dismiss(
    gql: GraphQL, session: AsyncSession
) -> None:
    page_id = to_base64("Page", await make_page(session))
    lost = await gql(ACTIONS["pageMarkLost"], {"input": {"pageId": page_id}})
    assert lost["data"]["pageMarkLost"]["page"] == {
        "connectionState": "LOST",
        "noticeDismissed": False,
    }
    dismissed = await gql(ACTIONS["pageNoticeDismiss"], {"input": {"pageId": page_id}})
    assert dismissed["data"]["pageNoticeDismiss"]["page"]["noticeDismissed"] is True
    back = await gql(ACTIONS["pageReconnect"], {"input": {"pageId": page_id}})
    assert back["data"]["pageReconnect"]["page"]["connectionState"] == "CONNECTED"


@pytest.mark.spec("C13")
async def test_no_page_left_means_the_introduction_state(
    gql: GraphQL, session: AsyncSession
) -> None:
    first, second = await make_page(session), await make_page(session)
    assert (await gql(SETTINGS))["data"]["inboxSettings"]["introduction"] is False
    await gql(ACTIONS["pageMarkLost"], {"input": {"pageId": to_base64("Page", first)}})
    await gql(ACTIONS["pageDisconnect"], {"input": {"pageId": to_base64("Page", second)}})
    assert (await gql(SETTINGS))["data"]["inboxSettings"]["introduction"] is False
    await gql(ACTIONS["pageDisconnect"], {"input": {"pageId": to_base64("Page", first)}})
    assert (await gql(SETTINGS))["data"]["inboxSettings"]["introduction"] is True


MANAGERS = {Role.OWNER, Role.SHOP_ADMIN, Role.SOCIAL_ADMIN, Role.DEFAULT}


@pytest.mark.spec("C13")
@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix_of_a_lost_page(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker, role: Role
) -> None:
    page = await make_page(session, connection_state="lost")
    as_role = await make_token(role)
    page_id = to_base64("Page", page)
    for action in ("pageReconnect", "pageDisconnect"):
        body = await gql(ACTIONS[action], {"input": {"pageId": page_id}}, as_token=as_role)
        errors = body["data"][action]["userErrors"]
        if role in MANAGERS:
            assert errors == []
        else:
            assert [e["code"] for e in errors] == ["FORBIDDEN"]
        await session.execute(
            t.page.update().where(t.page.c.id == page).values(connection_state="lost")
        )
    state = await session.scalar(select(t.page.c.connection_state).where(t.page.c.id == page))
    assert state == "lost"
    dismissed = await gql(
        ACTIONS["pageNoticeDismiss"], {"input": {"pageId": page_id}}, as_token=as_role
    )
    assert dismissed["data"]["pageNoticeDismiss"]["userErrors"] == []
    connect = await gql(
        CONNECT,
        {"input": {"channel": "ZALO", "externalId": f"z-{role}", "name": "OA"}},
        as_token=as_role,
    )
    assert (connect["data"]["pageConnect"]["userErrors"] == []) is (role in MANAGERS)


async def test_a_disconnected_page_cannot_be_lost_and_unknown_pages_are_not_found(
    gql: GraphQL, session: AsyncSession
) -> None:
    page = await make_page(session, connection_state="disconnected")
    body = await gql(ACTIONS["pageMarkLost"], {"input": {"pageId": to_base64("Page", page)}})
    assert body["data"]["pageMarkLost"]["userErrors"][0]["code"] == "CONFLICT"
    missing = await gql(ACTIONS["pageReconnect"], {"input": {"pageId": to_base64("Page", 424242)}})
    assert missing["data"]["pageReconnect"]["userErrors"][0]["code"] == "NOT_FOUND"
