"""Request-level failures come back as GraphQL JSON with a code, never as plain text."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.conftest import GraphQL

pytestmark = pytest.mark.spec("X4")

SHOP_NAME = "query ShopName { shop { name } }"


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        (
            {"json": {"query": SHOP_NAME, "operationName": "Other"}},
            'Unknown operation named "Other"',
        ),
        ({"json": {"variables": {}}}, "No GraphQL query found"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ],
)
async def test_bad_requests_get_a_coded_json_error(
    client: AsyncClient, token: str, request_kwargs: dict[str, object], message: str
) -> None:
    extra = dict(request_kwargs)
    headers = {"Authorization": f"Bearer {token}", **extra.pop("headers", {})}  # type: ignore[dict-item]

    response = await client.post("/graphql", headers=headers, **extra)  # type: ignore[arg-type]

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


NUL_LITERAL = 'query { customers(first: 1, after: "a\\u0000b") { totalCount } }'
NUL_BRACED = 'query { customers(first: 1, after: "a\\u{0}b") { totalCount } }'
NUL_VARIABLE = "query Page($after: String) { customers(first: 1, after: $after) { totalCount } }"


async def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(
    gql: GraphQL,
) -> None:
    literal = await gql(NUL_LITERAL)
    braced = await gql(NUL_BRACED)
    variable = await gql(NUL_VARIABLE, {"after": "a\x00b"})

    for body in (literal, braced, variable):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "NUL character" in body["errors"][0]["message"]
    assert variable["errors"][0]["extensions"]["field"] == "$after"
