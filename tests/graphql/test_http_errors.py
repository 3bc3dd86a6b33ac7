"""Request-level failures come back as GraphQL JSON with a code, never as plain text."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

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
