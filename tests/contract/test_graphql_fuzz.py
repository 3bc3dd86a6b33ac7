"""schemathesis fuzzes every query and mutation field; no answer may be a server error.

schemathesis reads the live schema (so fields added later are fuzzed too) and generates the
documents with hypothesis, derandomised so a run is repeatable. They are posted through the ASGI
app inside the test's rolled-back transaction, with a valid owner token and a small shop, so
resolvers reach the database.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio
import schemathesis
from httpx import AsyncClient, Response
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS, get_extra_scalar_strategies
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from strawberry.relay import GlobalID

from graph.schema import schema
from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLID,
    GraphQLScalarType,
    IntValueNode,
    NullValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    introspection_from_schema,
    parse,
    print_ast,
    specified_scalar_types,
    visit,
)
from infra.settings import Settings
from tests.conftest import app_client
from tests.factories import (
    make_customer,
    make_member,
    make_page,
    make_subscriber,
    make_tag,
    make_thread,
)

pytestmark = pytest.mark.spec("X4")

# Examples per field shrink as fields are added, keeping the whole run around 20 seconds.
# `make fuzz` runs a deeper campaign: FUZZ_EXAMPLES per field, generated from FUZZ_SEED
# (a failure it finds is repeated by running it again with the same seed).
POSITIVE_BUDGET = 220
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ_SEED = os.environ.get("FUZZ_SEED")
NEGATIVE_EXAMPLES = max(2, FUZZ_EXAMPLES // 4)
MASKED = "Internal server error"
INTERNALS = re.compile(
    r"Traceback|File \"|asyncpg|sqlalchemy|psycopg|\bSQL\b|Exception\b|(?<!Syntax )Error:"
    r"|object has no attribute|NoneType|unexpected keyword|KeyError|IndexError|ValueError|TypeError"
)


SCALARS = {
    "Decimal": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str).map(nodes.String),
        st.integers().map(nodes.Int),
        st.text(max_size=12).map(nodes.String),
    ),
}


def register_scalars() -> None:
    """Strategies for our scalars; any scalar added later gets arbitrary text until it has one."""
    known = {*specified_scalar_types, *get_extra_scalar_strategies(), *CUSTOM_SCALARS}
    for name, type_ in schema._schema.type_map.items():
        if isinstance(type_, GraphQLScalarType) and name not in known:
            fallback = st.text(max_size=16).map(nodes.String)
            schemathesis.graphql.scalar(name, SCALARS.get(name, fallback))


def fuzz_schema() -> Any:
    register_scalars()
    # From graphql-core directly: strawberry's own introspection runs the authentication extension.
    return schemathesis.graphql.from_dict(introspection_from_schema(schema._schema))


def operations() -> list[Any]:
    return [result.ok() for result in fuzz_schema().get_all_operations() if isinstance(result, Ok)]


def documents(operation: Any, mode: GenerationMode, count: int) -> list[str]:
    """Documents schemathesis generates for one root field, the same ones on every run."""
    found: list[str] = []

    @settings(
        max_examples=count,
        derandomize=FUZZ_SEED is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        if isinstance(case.body, str):
            found.append(case.body)

    if FUZZ_SEED is not None:
        collect = seed(int(FUZZ_SEED) + zlib.crc32(operation.label.encode()))(collect)
    collect()
    return list(dict.fromkeys(found))


def repaired(document: str, ids: list[str]) -> str | None:
    """The document with `first` in range, no cursor and IDs of real objects.

    Random strings are never valid cursors or global ids, so without this most generated
    requests stop at argument checks and never reach resolvers, domain rules or SQL.
    """
    try:
        tree = parse(document)
    except GraphQLError:
        return None
    type_info = TypeInfo(schema._schema)

    class Repair(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
            name = node.name.value
            if name == "first" and isinstance(node.value, IntValueNode):
                size = str(abs(int(node.value.value)) % 101)
                return ArgumentNode(name=node.name, value=IntValueNode(value=size))
            if name in {"after", "before"} and isinstance(node.value, StringValueNode):
                return ArgumentNode(name=node.name, value=NullValueNode())
            return None

        def enter_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode | None:
            return self.real_id(node.value)

        def enter_int_value(self, node: IntValueNode, *_: Any) -> StringValueNode | None:
            return self.real_id(node.value)

        def real_id(self, literal: str) -> StringValueNode | None:
            expected = type_info.get_input_type()
            if expected is None or get_named_type(expected) is not GraphQLID:
                return None
            return StringValueNode(value=ids[zlib.crc32(literal.encode()) % len(ids)])

    return print_ast(visit(tree, TypeInfoVisitor(type_info, Repair())))


def problems(document: str, response: Response) -> list[str]:
    """What makes an answer a server error rather than a clear GraphQL result."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    if not response.headers.get("content-type", "").startswith("application/json"):
        return [f"not JSON: {response.headers.get('content-type')} {response.text[:200]}"]
    body = response.json()
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"not a GraphQL body: {response.text[:200]}"]
    found = []
    for error in body.get("errors") or []:
        message = str(error.get("message", ""))
        if MASKED in message or INTERNALS.search(message):
            found.append(message)
    return found


async def seed_small_shop(session: AsyncSession) -> list[str]:
    """A few rows of each kind; returns their global ids."""
    customer = await make_customer(session, phone="0912 345 678", email="lan@example.vn")
    other = await make_customer(session)
    member = await make_member(session, customer_id=customer)
    page = await make_page(session)
    subscriber = await make_subscriber(session, page_id=page, customer_id=customer)
    thread = await make_thread(session, page_id=page, subscriber_id=subscriber)
    tag = await make_tag(session)
    await session.flush()
    rows = [
        ("Customer", customer),
        ("Customer", other),
        ("Member", member),
        ("Page", page),
        ("Subscriber", subscriber),
        ("Thread", thread),
        ("Tag", tag),
    ]
    return [str(GlobalID(type_name, str(row_id))) for type_name, row_id in rows]


@pytest_asyncio.fixture(loop_scope="session")
async def client(connection: AsyncConnection, now: datetime) -> AsyncIterator[AsyncClient]:
    """The app without the callers' budget (``graph.throttle``): the generated requests are
    many and costly, and a `THROTTLED` answer would hide what each one does."""
    unbudgeted = Settings(graphiql=True, webhook_local_network=False, rate_limit_points=0)
    async with app_client(connection, now, unbudgeted) as client:
        yield client


OPERATIONS = operations()
POSITIVE_EXAMPLES = FUZZ_EXAMPLES or max(4, min(10, POSITIVE_BUDGET // max(1, len(OPERATIONS))))


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
async def test_no_generated_request_gets_a_server_error(
    operation: Any, client: AsyncClient, token: str, session: AsyncSession
) -> None:
    ids = await seed_small_shop(session)
    positive = documents(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES)
    negative = documents(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
    assert positive, f"schemathesis generated nothing for {operation.label}"
    fixed = [doc for doc in (repaired(doc, ids) for doc in positive) if doc is not None]
    generated = list(dict.fromkeys(positive + fixed + negative))

    failures = {}
    for document in generated:
        try:
            response = await client.post(
                "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"}
            )
        except Exception as error:  # escaped the app: the worst answer, reported with its document
            failures[document] = [f"raised {error!r}"]
            break
        found = problems(document, response)
        if found:
            failures[document] = found
        try:  # the request's statements ran on this connection, in savepoints of its transaction
            await session.execute(text("SELECT 1"))
        except Exception as error:
            failures[document] = [f"left the connection unusable: {error!r}"]
            break

    assert failures == {}, "\n\n".join(f"{doc}\n→ {msgs}" for doc, msgs in failures.items())
