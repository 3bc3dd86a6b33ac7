"""schema.graphql is the committed artifact of the schema; it must match the code."""

from __future__ import annotations

from pathlib import Path

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from graph.schema import CACHE_SIZE, MAX_DEPTH, schema

SDL = Path(__file__).parents[2] / "schema.graphql"


def test_schema_graphql_is_current() -> None:
    assert SDL.read_text() == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"


def test_each_operation_gets_extensions_of_its_own() -> None:
    """An extension instance shared by concurrent operations reads whichever operation was
    given to it last: it could mask or limit another request's operation."""
    first, second = schema.get_extensions(), schema.get_extensions()

    assert len(first) == len(second) >= 8
    assert all(a is not b for a, b in zip(first, second, strict=True))


async def test_a_document_is_parsed_and_validated_once_across_requests() -> None:
    document = "query Cached { shop { name } }"
    validated = _get_validate_cache(CACHE_SIZE)
    parsed = _get_parse_cache(CACHE_SIZE)
    await schema.execute(document)
    hits = (validated.cache_info().hits, parsed.cache_info().hits)

    await schema.execute(document)

    assert validated.cache_info().hits == hits[0] + 1
    assert parsed.cache_info().hits == hits[1] + 1


async def test_a_document_deeper_than_the_limit_is_refused_before_it_runs() -> None:
    inner = "id"
    for _ in range(8):
        inner = f"member {{ customer {{ {inner} }} }}"

    result = await schema.execute("query Deep { customers { nodes { " + inner + " } } }")

    assert result.data is None
    assert [e.message for e in result.errors or []] == [
        f"'Deep' exceeds maximum operation depth of {MAX_DEPTH}"
    ]
