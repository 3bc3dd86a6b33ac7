"""Every GraphQL example in the README is a valid document for the schema the service serves,
so a reader who pastes one into GraphiQL does not meet an unknown field or a wrong argument."""

from __future__ import annotations

import re

import pytest

from graph.schema import schema
from graphql import parse, validate
from infra.settings import PROJECT_ROOT

pytestmark = pytest.mark.spec("X4")

BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)
EXAMPLES = BLOCK.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(
    "document", EXAMPLES, ids=[f"example {i + 1}" for i in range(len(EXAMPLES))]
)
def test_a_readme_example_is_valid(document: str) -> None:
    errors = validate(schema._schema, parse(document))
    assert not errors, [e.message for e in errors]
