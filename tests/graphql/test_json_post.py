"""A one-operation JSON POST is answered without the web framework; its answer is the one the
framework's GraphQL view gives to the same request (which still serves every other kind)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import create_app, request_context
from graph.schema import schema
from graph.transport import JsonPost
from tests.conftest import _session, unbudgeted
from tests.factories import make_customer

pytestmark = pytest.mark.spec("X4")

CASES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    ("query { customers(first: 2) { totalCount nodes { fullName tags { name } } } }", None, None),
    ("query Q($f: ProfileFilter) { customers(filter: $f) { totalCount } }",
     {"f": {"fullName": {"contains": "van"}}}, "Q"),
    ("query { customers(first: 101) { totalCount } }", None, None),
    ("query { customers { noSuchField } }", None, None),
    ("query { customers(filter: {ordersCount: {min: 5, max: 1}}) { totalCount } }", None, None),
    ("mutation { tagCreate(input: {name: \"\"}) { userErrors { field code } } }", None, None),
    ('query { customers(first: 1, after: "a\\u0000b") { totalCount } }', None, None),
    ("query A { shop { name } } query B { viewer { name } }", None, "B"),
]  # fmt: skip


async def post(client: AsyncClient, token: str | None, body: dict[str, Any]) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    # Sized, not chunked, on both routes.
    assert int(response.headers["content-length"]) == len(response.content)
    return response.status_code, response.json()


@pytest.mark.parametrize(("query", "variables", "name"), CASES)
@pytest.mark.parametrize("signed_in", [True, False])
async def test_the_short_route_answers_as_the_framework_view(
    client: AsyncClient,
    token: str,
    session: AsyncSession,
    query: str,
    variables: dict[str, Any] | None,
    name: str | None,
    signed_in: bool,
) -> None:
    await make_customer(session, full_name="Nguyễn Văn An")
    body: dict[str, Any] = {"query": query, "variables": variables, "operationName": name}
    bearer = token if signed_in else None

    short = await post(client, bearer, body)
    # An `extensions` member is not one the short route takes: the view answers it.
    framework = await post(client, bearer, {**body, "extensions": {}})

    assert (short[0], unbudgeted(short[1])) == (framework[0], unbudgeted(framework[1]))


@pytest.mark.parametrize(
    "body",
    [
        [{"query": "{ shop { name } }"}],
        {"query": "{ shop { name } }", "variables": "not an object"},
        {"query": 5},
        {"query": "{ shop { name } }", "operationName": "Missing"},
    ],
)
async def test_other_bodies_go_to_the_framework_view(
    client: AsyncClient, token: str, body: Any
) -> None:
    status, answer = await post(client, token, body)

    assert 400 <= status < 500
    assert answer["errors"][0]["extensions"]["code"] in {"BAD_USER_INPUT", "NOT_FOUND"}


async def test_only_other_requests_reach_the_framework(
    connection: AsyncConnection, token: str
) -> None:
    app = create_app(sessions=lambda: _session(connection))
    reached: list[str] = []

    async def framework(scope: Any, receive: Any, send: Any) -> None:
        body = (await receive())["body"]
        reached.append(body.decode())
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    short = JsonPost(
        framework,
        path="/graphql",
        schema=schema,
        context=request_context(app),
        max_body=4096,
        refused=lambda: None,
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncClient(transport=ASGITransport(app=short), base_url="http://t") as client:
        answered = await client.post(
            "/graphql", json={"query": "{ shop { name } }"}, headers=headers
        )
        batch = await client.post(
            "/graphql", json=[{"query": "{ shop { name } }"}], headers=headers
        )
        text = await client.post("/graphql", content=b"{ shop { name } }", headers=headers)

    assert answered.status_code == 200
    assert answered.json()["data"]["shop"]["name"]
    assert (batch.status_code, text.status_code) == (418, 418)
    assert reached == ['[{"query":"{ shop { name } }"}]', "{ shop { name } }"]
