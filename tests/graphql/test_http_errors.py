"""Request-level failures come back as GraphQL JSON with a code, never as plain text."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson
import pytest
import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from infra import tables as t
from infra.settings import Settings
from tests.conftest import GraphQL, app_client

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


def _nested(depth: int) -> str:
    """Variables whose filter is ``depth`` objects deep, as JSON text."""
    return '{"f":' + '{"not":' * depth + '{"fullName":{"contains":"a"}}' + "}" * depth + "}"


DEEP_QUERY = "query($f: ProfileFilter) { customers(filter: $f) { totalCount } }"


async def test_json_nested_past_what_a_parser_takes_is_a_coded_400(
    client: AsyncClient, token: str
) -> None:
    """Before, the framework route parsed such a body with the standard library, whose parser
    ran out of stack: an internal error."""
    headers = {"Authorization": f"Bearer {token}"}
    query = orjson.dumps(DEEP_QUERY).decode()
    posted = await client.post(
        "/graphql",
        content=f'{{"query": {query}, "variables": {_nested(5000)}}}',
        headers={**headers, "Content-Type": "application/json"},
    )
    got = await client.get(
        "/graphql", params={"query": DEEP_QUERY, "variables": _nested(1100)}, headers=headers
    )

    for response in (posted, got):
        assert response.status_code == 400, response.text
        error = response.json()["errors"][0]
        assert "depth limit exceeded" in error["message"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_variables_nested_past_graphql_are_refused_by_its_rule(
    client: AsyncClient, token: str
) -> None:
    """600 levels parse as JSON but are past GraphQL's 200; the check for NUL characters that
    runs first used to recurse through them and leak Python's recursion message."""
    query = orjson.dumps(DEEP_QUERY).decode()
    response = await client.post(
        "/graphql",
        content=f'{{"query": {query}, "variables": {_nested(600)}}}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == ["Variable values are nested too deeply."]
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("query", "variables", "code", "message"),
    [
        ("{ shop { name ", None, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
        ("{ shop { nme } }", None, "GRAPHQL_VALIDATION_FAILED", "Did you mean 'name'?"),
        (
            "query($n: Int!) { customers(first: $n) { totalCount } }",
            {"n": "ten"},
            "BAD_USER_INPUT",
            "Variable '$n' has invalid value",
        ),
        (
            "query($n: Int!) { customers(first: $n) { totalCount } }",
            None,
            "BAD_USER_INPUT",
            "non-null type 'Int!' to be provided",
        ),
    ],
)
async def test_errors_of_the_request_itself_have_a_code(
    gql: GraphQL, query: str, variables: dict[str, object] | None, code: str, message: str
) -> None:
    """graphql-core writes them without one; a client tells them apart by the code."""
    body = await gql(query, variables)

    assert body["data"] is None
    (error,) = body["errors"]
    assert message in error["message"]
    assert error["extensions"] == {"code": code}
    assert error["locations"]


async def test_a_document_of_several_operations_needs_an_operation_name(
    client: AsyncClient, token: str, gql: GraphQL, session: AsyncSession
) -> None:
    """Strawberry ran the first operation of the document: here the mutation, sent with a
    query by mistake."""
    document = 'mutation Add { tagCreate(input: {name: "Sỉ"}) { tag { id } } } ' + SHOP_NAME
    body = await gql(document)
    by_get = (
        await client.get(
            "/graphql",
            params={"query": f"{SHOP_NAME} query Other {{ __typename }}"},
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()
    chosen = (
        await client.post(
            "/graphql",
            json={"query": document, "operationName": "ShopName"},
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()

    for refused in (body, by_get):
        assert refused["data"] is None
        (error,) = refused["errors"]
        assert "operationName" in error["message"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "operationName"}
    assert "errors" not in chosen
    assert chosen["data"]["shop"]["name"]
    tags = await session.scalar(select(func.count()).select_from(t.tag).where(t.tag.c.name == "Sỉ"))
    assert tags == 0


async def test_an_argument_that_is_no_global_id_is_bad_input(gql: GraphQL) -> None:
    """Strawberry's conversion error named no code."""
    tagged = await gql('mutation { tagAdd(input: {tagIds: ["%%%"]}) { userErrors { field } } }')
    node = await gql('{ node(id: "%%%") { id } }')

    for body, field in ((tagged, "tagAdd"), (node, "node")):
        (error,) = body["errors"]
        assert error["message"] == 'Value cannot represent a GlobalID: "%%%".'
        assert (error["path"], error["extensions"]) == ([field], {"code": "BAD_USER_INPUT"})


async def test_a_global_id_of_a_type_that_is_no_node_is_bad_input(gql: GraphQL) -> None:
    """strawberry's `relay.node()` raised on `Shop:1` (a type, but no node) and on a type the
    schema does not have: an internal error."""
    query = "query($id: ID!) { node(id: $id) { id } }"
    for type_name in ("Shop", "Nope", "ProfileFilter"):
        global_id = base64.b64encode(f"{type_name}:1".encode()).decode()
        body = await gql(query, {"id": global_id})
        assert body["data"] == {"node": None}
        (error,) = body["errors"]
        assert error["message"] == f"'{type_name}' is not a type of object `node` fetches."
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    missing = base64.b64encode(b"Customer:999999").decode()
    found = await gql(query, {"id": missing})
    assert found["data"] == {"node": None}
    assert "errors" not in found


async def test_ids_and_cursors_of_non_ascii_digits_are_not_found_or_bad_input(
    gql: GraphQL,
) -> None:
    """ "³" is a digit to str.isdigit, and int() raised on it: an internal error for an id or
    a cursor made of it (found by the schemathesis run)."""
    deleted = await gql('mutation { savedFilterDelete(input: {id: "³"}) { deletedId } }')
    assert deleted["data"] == {"savedFilterDelete": {"deletedId": None}}
    assert "errors" not in deleted

    for value in ("³", "٣", "9" * 30):
        cursor = base64.b64encode(f"c:{value}".encode()).decode()
        paged = await gql("query($a: String) { tags(after: $a) { totalCount } }", {"a": cursor})
        assert paged["data"] is None
        assert paged["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


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


NUL_COUNT = "query Count($filter: ProfileFilter) { customers(filter: $filter) { totalCount } }"


@pytest.mark.parametrize("levels", [3, 300])  # orjson writes up to 254 levels; the rest walked
async def test_a_nul_character_deep_in_a_filter_is_refused(gql: GraphQL, levels: int) -> None:
    nested: dict[str, Any] = {"firstName": {"contains": "Văn\x00"}}
    for _ in range(levels):
        nested = {"not": nested}
    body = await gql(NUL_COUNT, {"filter": nested})
    assert body["data"] is None
    assert "NUL character" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["field"] == "$filter"


async def test_text_that_only_looks_like_an_escaped_nul_is_taken(gql: GraphQL) -> None:
    """A backslash followed by `u0000` is six characters, no NUL."""
    body = await gql(NUL_COUNT, {"filter": {"firstName": {"contains": "a\\u0000b"}}})
    assert body == {"data": {"customers": {"totalCount": 0}}, "extensions": body["extensions"]}


LIMIT = 2048
TAG_CREATE = 'mutation { tagCreate(input: {name: "Khách sỉ"}) { tag { name } } }'


@pytest_asyncio.fixture(loop_scope="session")
async def bounded(connection: AsyncConnection, now: datetime) -> AsyncIterator[AsyncClient]:
    """A client of an app that takes request bodies of at most LIMIT bytes."""
    async with app_client(connection, now, Settings(max_request_bytes=LIMIT)) as client:
        yield client


def padded(size: int) -> bytes:
    """A JSON POST of TAG_CREATE whose body is exactly ``size`` bytes."""
    body = orjson.dumps({"query": TAG_CREATE, "variables": {"pad": ""}})
    return orjson.dumps({"query": TAG_CREATE, "variables": {"pad": " " * (size - len(body))}})


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 500):
        yield body[start : start + 500]


@pytest.mark.parametrize(
    ("content_type", "streamed"),
    [("application/json", False), ("application/json", True), ("multipart/form-data", False)],
)
async def test_a_body_over_the_limit_is_refused_and_changes_nothing(
    bounded: AsyncClient, token: str, session: AsyncSession, content_type: str, streamed: bool
) -> None:
    body = padded(LIMIT + 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}

    response = await bounded.post(
        "/graphql", content=chunks(body) if streamed else body, headers=headers
    )

    # Streamed, the body has no declared length: it is refused once it grows past the limit.
    assert ("content-length" in response.request.headers) is not streamed
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"{LIMIT:,} bytes" in answer["errors"][0]["message"]
    made = select(func.count()).select_from(t.tag).where(t.tag.c.name == "Khách sỉ")
    assert await session.scalar(made) == 0


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_body_at_the_limit_is_served(
    bounded: AsyncClient, token: str, streamed: bool
) -> None:
    body = padded(LIMIT)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    response = await bounded.post(
        "/graphql", content=chunks(body) if streamed else body, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["tagCreate"]["tag"]["name"] == "Khách sỉ"
