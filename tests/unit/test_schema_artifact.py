"""schema.graphql is the committed artifact of the schema; it must match the code."""

from __future__ import annotations

from pathlib import Path

from graph.schema import schema

SDL = Path(__file__).parents[2] / "schema.graphql"


def test_schema_graphql_is_current() -> None:
    assert SDL.read_text() == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"
