"""schema.graphql is the committed artifact of the schema; it must match the code."""

from __future__ import annotations

from pathlib import Path

from graph.schema import schema

SDL = Path(__file__).parents[2] / "schema.graphql"


def test_schema_graphql_is_current() -> None:
    assert SDL.read_text() == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"


def test_each_operation_gets_extensions_of_its_own() -> None:
    """An extension instance shared by concurrent operations reads whichever operation was
    given to it last: it could mask or limit another request's operation."""
    first, second = schema.get_extensions(), schema.get_extensions()

    assert len(first) == len(second) >= 8
    assert all(a is not b for a, b in zip(first, second, strict=True))
