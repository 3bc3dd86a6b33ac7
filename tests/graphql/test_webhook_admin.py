"""Webhook subscriptions, events and deliveries through GraphQL (X3, X5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from strawberry.relay import from_base64, to_base64

from domain.staff import Role
from infra import tables as t
from infra import webhooks
from infra.egress import webhook_client
from infra.settings import Settings
from tests.conftest import SHOP_ID, GraphQL, StatementLog, TokenMaker, app_client
from tests.factories import make_page, make_subscriber, make_tag, make_webhook_subscription
from tests.integration.webhooks.receiver import receiver

CREATE = """
mutation($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    subscription { id url eventTypes active }
    secret
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($input: WebhookSubscriptionUpdateInput!) {
  webhookSubscriptionUpdate(input: $input) {
    subscription { url eventTypes active }
    secret
    userErrors { field message code }
  }
}
"""
DELETE = """
mutation($input: WebhookSubscriptionDeleteInput!) {
  webhookSubscriptionDelete(input: $input) { deletedId userErrors { field code } }
}
"""
TAG_ADD = """
mutation($input: TaggingInput!) {
  tagAdd(input: $input) { changed userErrors { field message code } }
}
"""
EVENTS = """
query($type: String, $dispatched: Boolean) {
  events(first: 10, type: $type, dispatched: $dispatched) {
    totalCount
    nodes { id type payload dispatchedAt }
  }
}
"""
DELIVERIES = """
query($status: WebhookDeliveryStatus, $after: String) {
  webhookDeliveries(first: 2, status: $status, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      status attemptCount lastStatusCode nextAttemptAt
      event { type payload }
      subscription { url }
      attempts { statusCode error durationMs }
    }
  }
}
"""


def gid(type_name: str, value: int) -> str:
    return to_base64(type_name, value)


async def stored_secret(session: AsyncSession, subscription_gid: str) -> str:
    s = t.webhook_subscription
    raw_id = int(from_base64(subscription_gid)[1])
    return str(await session.scalar(select(s.c.secret).where(s.c.id == raw_id)))


@pytest.mark.spec("X3")
async def test_create_shows_a_generated_secret_once_and_validates_url_and_types(
    gql: GraphQL, session: AsyncSession
) -> None:
    body = await gql(
        CREATE, {"input": {"url": "https://hooks.example.vn/crm", "eventTypes": ["tag.added"]}}
    )
    payload = body["data"]["webhookSubscriptionCreate"]
    assert payload["userErrors"] == []
    assert payload["subscription"]["eventTypes"] == ["tag.added"]
    assert payload["secret"].startswith("whsec_")
    assert len(payload["secret"]) > 30
    assert await stored_secret(session, payload["subscription"]["id"]) == payload["secret"]

    bad = [
        ({"url": "http://hooks.example.vn/crm"}, "input.url"),
        ({"url": "ftp://hooks.example.vn/"}, "input.url"),
        ({"url": "hooks.example.vn"}, "input.url"),
        ({"url": "https://user:pw@hooks.example.vn/"}, "input.url"),
        ({"url": "https://hooks.example.vn:99999/"}, "input.url"),
        # urlsplit takes both; neither can be delivered to.
        ({"url": "https://hooks.exa mple.vn/"}, "input.url"),
        ({"url": "https://hooks.example.vn:0/"}, "input.url"),
        ({"url": "https://a.vn", "eventTypes": ["tag.added", "order.paid"]}, "input.eventTypes.1"),
        ({"url": "https://a.vn", "secret": "short"}, "input.secret"),
        # Receivers must be public (WEBHOOK_LOCAL_NETWORK is off).
        ({"url": "http://127.0.0.1:8080/hook"}, "input.url"),
        ({"url": "https://localhost/hook"}, "input.url"),
        ({"url": "https://10.1.2.3/hook"}, "input.url"),
        ({"url": "https://169.254.169.254/latest/meta-data/"}, "input.url"),
        ({"url": "https://100.64.0.7/hook"}, "input.url"),
        ({"url": "https://[fd00::1]/hook"}, "input.url"),
        ({"url": "https://[::ffff:192.168.1.1]/hook"}, "input.url"),
        ({"url": "https://2130706433/hook"}, "input.url"),
        ({"url": "https://crm.localhost./hook"}, "input.url"),
    ]
    for given, field in bad:
        refused = (await gql(CREATE, {"input": given}))["data"]["webhookSubscriptionCreate"]
        assert refused["subscription"] is None
        assert refused["secret"] is None
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(field, "INVALID")]
    total = len((await session.execute(select(t.webhook_subscription.c.id))).all())
    assert total == 1


@pytest.mark.spec("X3")
async def test_an_install_on_its_own_network_may_deliver_to_it(
    connection: AsyncConnection, now: datetime, token: str, session: AsyncSession
) -> None:
    local = Settings(graphiql=False, webhook_local_network=True)
    async with app_client(connection, now, local) as client:

        async def create(url: str) -> dict[str, Any]:
            response = await client.post(
                "/graphql",
                json={"query": CREATE, "variables": {"input": {"url": url, "secret": "s" * 16}}},
                headers={"Authorization": f"Bearer {token}"},
            )
            payload: dict[str, Any] = response.json()["data"]["webhookSubscriptionCreate"]
            return payload

        for url in (
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9000/x",
            "https://10.1.2.3/hook",
        ):
            taken = await create(url)
            assert taken["userErrors"] == [], url
            assert taken["secret"] == "s" * 16
        # Plain http stays for this machine only.
        refused = await create("http://10.1.2.3/hook")
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("input.url", "INVALID")]
    assert "plain http only to 127.0.0.1" in refused["userErrors"][0]["message"]
    total = len((await session.execute(select(t.webhook_subscription.c.id))).all())
    assert total == 4


LISTED = "{ webhookSubscriptions { nodes { url urlRefused } } }"


@pytest.mark.spec("X3")
async def test_a_url_saved_for_the_local_network_is_flagged_once_the_install_refuses_it(
    connection: AsyncConnection, now: datetime, token: str, gql: GraphQL, session: AsyncSession
) -> None:
    await make_webhook_subscription(session, "http://127.0.0.1:8080/hook", [])
    await make_webhook_subscription(session, "https://hooks.example.vn/crm", [])
    local = Settings(graphiql=False, webhook_local_network=True)
    async with app_client(connection, now, local) as client:
        response = await client.post(
            "/graphql", json={"query": LISTED}, headers={"Authorization": f"Bearer {token}"}
        )
    allowed = response.json()["data"]["webhookSubscriptions"]["nodes"]

    public = (await gql(LISTED))["data"]["webhookSubscriptions"]["nodes"]

    assert {n["url"]: n["urlRefused"] for n in allowed} == {
        "http://127.0.0.1:8080/hook": None,
        "https://hooks.example.vn/crm": None,
    }
    refused = {n["url"]: n["urlRefused"] for n in public}
    assert refused["https://hooks.example.vn/crm"] is None
    assert refused["http://127.0.0.1:8080/hook"].startswith("'127.0.0.1' is not a public address")


@pytest.mark.spec("X3")
async def test_update_rotates_the_secret_and_only_admins_manage_subscriptions(
    gql: GraphQL, session: AsyncSession, make_token: TokenMaker
) -> None:
    created = await gql(CREATE, {"input": {"url": "https://a.vn/hook"}})
    sub_id = created["data"]["webhookSubscriptionCreate"]["subscription"]["id"]
    first_secret = created["data"]["webhookSubscriptionCreate"]["secret"]

    unchanged = await gql(UPDATE, {"input": {"id": sub_id, "active": False, "eventTypes": []}})
    assert unchanged["data"]["webhookSubscriptionUpdate"] == {
        "subscription": {"url": "https://a.vn/hook", "eventTypes": [], "active": False},
        "secret": None,
        "userErrors": [],
    }
    rotated = await gql(UPDATE, {"input": {"id": sub_id, "rotateSecret": True}})
    new_secret = rotated["data"]["webhookSubscriptionUpdate"]["secret"]
    assert new_secret
    assert new_secret != first_secret
    assert await stored_secret(session, sub_id) == new_secret
    both = await gql(UPDATE, {"input": {"id": sub_id, "rotateSecret": True, "secret": "x" * 20}})
    assert both["data"]["webhookSubscriptionUpdate"]["userErrors"][0]["field"] == "input.secret"
    assert await stored_secret(session, sub_id) == new_secret

    staff = await make_token(Role.CHAT_STAFF)
    forbidden = await gql(CREATE, {"input": {"url": "https://b.vn"}}, as_token=staff)
    assert forbidden["data"]["webhookSubscriptionCreate"]["userErrors"][0]["code"] == "FORBIDDEN"
    not_theirs = await gql(DELETE, {"input": {"id": sub_id}}, as_token=staff)
    assert not_theirs["data"]["webhookSubscriptionDelete"]["userErrors"][0]["code"] == "FORBIDDEN"

    deleted = await gql(DELETE, {"input": {"id": sub_id}})
    assert deleted["data"]["webhookSubscriptionDelete"] == {"deletedId": sub_id, "userErrors": []}
    again = await gql(DELETE, {"input": {"id": sub_id}})
    assert again["data"]["webhookSubscriptionDelete"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.spec("X3", "X5")
async def test_events_and_deliveries_with_their_attempts_are_listed_with_filters(
    gql: GraphQL, session: AsyncSession, now: datetime, sql_statements: StatementLog
) -> None:
    page = await make_page(session)
    people = [await make_subscriber(session, page_id=page) for _ in range(3)]
    tag = await make_tag(session, page_id=page)
    with receiver([500, 500, 500]) as hook:
        # A receiver on this machine: saved directly, the API takes public URLs only.
        await make_webhook_subscription(session, hook.url, ["tag.added"])
        await gql(
            TAG_ADD,
            {
                "input": {
                    "tagIds": [gid("Tag", tag)],
                    "subscriberIds": [gid("Subscriber", p) for p in people],
                }
            },
        )
        waiting = await gql(EVENTS, {"dispatched": False})
        assert waiting["data"]["events"]["totalCount"] == 3

        deliveries = await webhooks.dispatch_outbox(session, now)
        async with webhook_client(local_network=True) as client:
            for shop_id, delivery_id in deliveries[:2]:
                await webhooks.deliver(session, shop_id, delivery_id, now, client)
            await webhooks.deliver(session, SHOP_ID, deliveries[2][1], now, client)
        assert len(hook.requests) == 3

    events = (await gql(EVENTS, {"type": "tag.added", "dispatched": True}))["data"]["events"]
    assert events["totalCount"] == 3
    assert {e["payload"]["subscriberId"] for e in events["nodes"]} == set(people)
    unknown = await gql(EVENTS, {"type": "order.paid"})
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    sql_statements.clear()
    first_page = (await gql(DELIVERIES, {"status": "PENDING"}))["data"]["webhookDeliveries"]
    # the page, its attempts, events and subscriptions: one query each, whatever the page size
    assert (
        len([s for s in sql_statements.statements if s.lstrip().upper().startswith("SELECT")]) <= 6
    )
    assert first_page["totalCount"] == 3
    assert first_page["pageInfo"]["hasNextPage"] is True
    node = first_page["nodes"][0]
    assert node["status"] == "PENDING"
    assert node["attemptCount"] == 1
    assert node["lastStatusCode"] == 500
    assert node["event"]["type"] == "tag.added"
    assert node["subscription"] == {"url": hook.url}
    assert [(a["statusCode"], a["error"]) for a in node["attempts"]] == [(500, "HTTP 500")]
    rest = await gql(
        DELIVERIES, {"status": "PENDING", "after": first_page["pageInfo"]["endCursor"]}
    )
    assert len(rest["data"]["webhookDeliveries"]["nodes"]) == 1
    delivered = await gql(DELIVERIES, {"status": "DELIVERED"})
    assert delivered["data"]["webhookDeliveries"]["totalCount"] == 0
