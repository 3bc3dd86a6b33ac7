"""The executor's short path answers exactly as graphql-core's general path does: the same data,
and the same errors at the same paths, for plain data, bad data and fields with resolvers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from enum import Enum, StrEnum
from typing import Any, cast

import pytest
import strawberry
from strawberry.extensions import ParserCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app import utc_now
from graph.context import Context
from graph.execution import Executor
from infra.settings import Settings

pytestmark = pytest.mark.spec("X4")


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Label:
    name: str
    colour: Colour | None


@strawberry.type
class Item:
    id: int
    title: str
    price: float | None
    labels: list[Label]
    extra: Label | None
    codes: list[str] | None
    ref: strawberry.ID
    active: bool

    @strawberry.field
    def shout(self) -> str:
        return self.title.upper()


@strawberry.type
class Other:
    id: int


class Size(StrEnum):
    SMALL = "small"


class Later:
    """A value that arrives asynchronously, as a ``Deferred`` does. Unlike a coroutine it may
    stay unawaited without a warning: a row holds it whether or not a document selects it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        yield from asyncio.sleep(0).__await__()
        return self.value


def good(i: int) -> Item:
    return Item(
        id=i,
        title=f"item {i}",
        price=1.5 * i,
        labels=[Label(name="a", colour=Colour.RED), Label(name="b", colour=None)],
        extra=Label(name="x", colour=Colour.BLUE) if i % 2 else None,
        codes=["c1", "c2"],
        ref=strawberry.ID(f"r{i}"),
        active=i % 2 == 1,
    )


def broken(**changes: Any) -> Item:
    item = good(7)
    for name, value in changes.items():
        setattr(item, name, value)
    return item


# Factories: an awaitable value can be awaited once, so each execution gets fresh rows.
ROWS: dict[str, Callable[[], list[Any]]] = {
    "good": lambda: [good(1), good(2), good(3)],
    "null_title": lambda: [good(1), broken(title=None), good(3)],
    "bad_number": lambda: [broken(price="not a number")],
    "null_label_name": lambda: [broken(labels=[Label(name=None, colour=None)])],  # type: ignore[arg-type]
    "null_extra_name": lambda: [broken(extra=Label(name=None, colour=Colour.RED))],  # type: ignore[arg-type]
    "awaitable_labels": lambda: [broken(labels=Later([Label(name="z", colour=Colour.RED)]))],
    "awaitable_title": lambda: [broken(title=Later("late"))],
    "wrong_object": lambda: [broken(extra=Other(id=1))],
    "labels_not_list": lambda: [broken(labels=Label(name="q", colour=None))],
    "codes_none": lambda: [broken(codes=None)],
    "bad_enum": lambda: [broken(labels=[Label(name="e", colour="green")])],  # type: ignore[arg-type]
    # Values a scalar converts or refuses, beside those of its plain type it returns as they are
    "id_past_32_bits": lambda: [broken(id=2**31), broken(id=-(2**31) - 1)],
    "id_at_32_bits": lambda: [broken(id=2**31 - 1), broken(id=-(2**31))],
    "id_not_int": lambda: [broken(id=True), broken(id=3.0), broken(id="12")],
    "price_not_finite": lambda: [broken(price=float("nan")), broken(price=float("inf"))],
    "price_not_float": lambda: [broken(price=3), broken(price=True), broken(price="2.5")],
    "text_not_str": lambda: [broken(title=Size.SMALL, codes=[1, 2.5, True], ref=7)],
    "active_not_bool": lambda: [broken(active=1), broken(active=0.0), broken(active="yes")],
}


@strawberry.type
class Query:
    @strawberry.field
    def items(self, rows: str) -> list[Item]:
        return ROWS[rows]()

    @strawberry.field
    def maybe_items(self, rows: str) -> list[Item | None] | None:
        return ROWS[rows]()  # type: ignore[return-value]


def schema(executor: type) -> strawberry.Schema:
    # With the parser's cache, as the service's schema: each document is one object for all
    # its executions, so the short path's kept entries are used again (graph.execution).
    return strawberry.Schema(
        query=Query, execution_context_class=executor, extensions=[ParserCache(maxsize=64)]
    )


GENERAL = schema(StrawberryGraphQLCoreExecutionContext)
SHORT = schema(Executor)

DOCUMENTS = [
    "query($rows: String!) { items(rows: $rows) { id title price codes labels { name colour } } }",
    "query($rows: String!) { maybeItems(rows: $rows) { id title price codes ref active } }",
    "query($rows: String!) { maybeItems(rows: $rows) { id title extra { name colour } } }",
    "query($rows: String!) { items(rows: $rows) { __typename t: title title labels { __typename"
    " name } extra { __typename name } } }",
    "query($rows: String!) { items(rows: $rows) { ...F ... on Item { id shout } } }"
    " fragment F on Item { title labels { name } }",
    "query($rows: String!, $yes: Boolean!) { items(rows: $rows) { id title @include(if: $yes)"
    " price @skip(if: $yes) labels { name @include(if: false) colour } } }",
    "query($rows: String!) { maybeItems(rows: $rows) { id labels { name } shout } }",
    "query($rows: String!, $yes: Boolean!) { items(rows: $rows) { id labels { name"
    " @include(if: $yes) colour } extra { ... on Label @skip(if: $yes) { name } } } }",
]


def outcome(result: Any) -> tuple[Any, list[tuple[str, list[Any] | None]]]:
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize("rows", sorted(ROWS))
@pytest.mark.parametrize("document", DOCUMENTS)
async def test_short_path_answers_as_the_general_path(document: str, rows: str) -> None:
    variables = {"rows": rows, "yes": True}
    expected = outcome(await GENERAL.execute(document, variable_values=variables))
    actual = outcome(await SHORT.execute(document, variable_values=variables))
    assert actual == expected


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_a_document_run_again_answers_for_its_own_variables(document: str) -> None:
    """Where directives depend on the variables, each execution of one document selects by
    its own; the kept entries of a document without directives serve every execution."""
    for rows, yes in [("good", True), ("good", False), ("null_title", True), ("good", True)]:
        variables = {"rows": rows, "yes": yes}
        expected = outcome(await GENERAL.execute(document, variable_values=variables))
        assert outcome(await SHORT.execute(document, variable_values=variables)) == expected


async def test_a_null_in_a_non_null_field_is_an_error_at_its_path() -> None:
    result = await SHORT.execute('{ maybeItems(rows: "null_title") { id title } }')
    assert result.data == {
        "maybeItems": [{"id": 1, "title": "item 1"}, None, {"id": 3, "title": "item 3"}]
    }
    assert [e.path for e in result.errors or []] == [["maybeItems", 1, "title"]]


@strawberry.type
class Part:
    @strawberry.field
    async def slow(self, info: strawberry.Info) -> int:
        await asyncio.sleep(0.05)
        info.context.finished.append("slow")
        return 1

    @strawberry.field
    def failing(self) -> int:
        raise ValueError("no value")


@strawberry.type
class PartQuery:
    @strawberry.field
    def part(self) -> Part:
        return Part()


class Request(Context):
    finished: list[str]


def request_context() -> Request:
    context = Request(session=cast(Any, None), principal=None, settings=Settings(), now=utc_now)
    context.finished = []
    return context


async def test_work_a_failed_field_leaves_running_is_handed_to_the_request() -> None:
    parts = strawberry.Schema(query=PartQuery, execution_context_class=Executor)
    context = request_context()

    result = await parts.execute("{ part { slow failing } }", context_value=context)

    # `failing` is non-null and fails at once: the error nulls `part` while `slow` still runs.
    assert result.data is None
    assert [e.path for e in result.errors or []] == [["part", "failing"]]
    assert context.finished == []
    await context.settled()  # what the request does before it closes its session
    assert context.finished == ["slow"]
