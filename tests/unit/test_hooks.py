"""The extension runner with hooks wrapped once per class (``graph.hooks``) against
strawberry's own: the same hooks run in the same order, see the same errors and give the same
response, for every form of hook strawberry accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.hooks import HookedSchema, HookRunner
from graph.schema import schema as api_schema

EVENTS: list[str] = []


class Generators(SchemaExtension):
    """Hooks written as generators, sync and async, around each stage."""

    def on_operation(self) -> Iterator[None]:
        EVENTS.append("operation: in")
        try:
            yield
        except Exception as error:
            EVENTS.append(f"operation: saw {type(error).__name__}")
            raise
        EVENTS.append("operation: out")

    async def on_execute(self) -> AsyncIterator[None]:
        EVENTS.append("execute: in")
        if (self.execution_context.variables or {}).get("refuse"):
            raise ValueError("refused by a hook")
        yield
        EVENTS.append("execute: out")

    def get_results(self) -> dict[str, Any]:
        return {"generators": len(EVENTS)}


class Callables(SchemaExtension):
    """Hooks written as plain functions, sync and async: called on entering their stage."""

    def on_execute(self) -> None:  # type: ignore[override]
        EVENTS.append("execute: called")

    async def on_validate(self) -> None:  # type: ignore[override]
        EVENTS.append("validate: awaited")

    async def get_results(self) -> dict[str, Any]:  # type: ignore[override]
        return {"callables": "async results"}


class Awaited(SchemaExtension):
    """An async function around the whole operation."""

    async def on_operation(self) -> None:  # type: ignore[override]
        EVENTS.append("operation: awaited")

    def on_parse(self) -> None:  # type: ignore[override]
        EVENTS.append("parse: called")


class Inner(SchemaExtension):
    """A second generator hook on the same stage, entered after and left before the first."""

    def on_operation(self) -> Iterator[None]:
        EVENTS.append("inner: in")
        yield
        EVENTS.append("inner: out")


class Answers(SchemaExtension):
    """A hook that answers in place of the execution."""

    def on_execute(self) -> Iterator[None]:
        if (self.execution_context.variables or {}).get("answer"):
            self.execution_context.result = strawberry.types.ExecutionResult(data=None, errors=[])
        yield


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, fail: bool = False) -> str:
        EVENTS.append("resolver")
        if fail:
            raise RuntimeError("resolver failed")
        return "hi"


EXTENSIONS = [Generators, Callables, Awaited, Inner, Answers]
OURS = HookedSchema(query=Query, extensions=EXTENSIONS)
STRAWBERRY = strawberry.Schema(query=Query, extensions=EXTENSIONS)

REQUESTS = [
    ("query Q { hello }", {}),
    ("query Q($fail: Boolean!) { hello(fail: $fail) }", {"fail": True}),
    ("query Q { hello", {}),  # does not parse
    ("query Q { goodbye }", {}),  # does not validate
    ("query Q($refuse: Boolean) { hello }", {"refuse": True}),  # a hook raises
    ("query Q($answer: Boolean) { hello }", {"answer": True}),  # a hook answers
]


async def _run(schema: strawberry.Schema, query: str, variables: dict[str, Any]) -> Any:
    EVENTS.clear()
    try:
        result = await schema.execute(query, variable_values=variables)
    except Exception as error:
        return list(EVENTS), f"raised {type(error).__name__}: {error}"
    errors = [(e.message, e.path) for e in result.errors or []]
    return list(EVENTS), result.data, errors, result.extensions


@pytest.mark.parametrize(("query", "variables"), REQUESTS)
async def test_hooks_run_as_under_strawberrys_own_runner(
    query: str, variables: dict[str, Any]
) -> None:
    theirs = await _run(STRAWBERRY, query, variables)
    ours = await _run(OURS, query, variables)
    assert ours == theirs
    assert ours[0], "the hooks ran"


async def test_a_hook_that_is_not_callable_is_refused_as_strawberry_refuses_it() -> None:
    class Broken(SchemaExtension):
        on_operation = "not a hook"  # type: ignore[assignment]

    for schema_class in (HookedSchema, strawberry.Schema):
        result = await schema_class(query=Query, extensions=[Broken]).execute("{ hello }")
        assert result.data is None
        assert result.errors
        assert "Hook on_operation on" in result.errors[0].message
        assert "must be callable, received 'not a hook'" in result.errors[0].message


def test_the_api_schema_runs_its_extensions_through_the_hook_runner() -> None:
    context = ExecutionContext(query="{ __typename }", schema=api_schema, allowed_operations=())
    assert isinstance(api_schema.create_extensions_runner(context, []), HookRunner)
