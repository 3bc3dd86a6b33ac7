"""Every GraphQL example in the README is a valid document for the schema the service serves,
within the cost a request may have, so a reader who pastes one into GraphiQL does not meet an
unknown field, a wrong argument or a refusal."""

from __future__ import annotations

import re

import pytest

from graph.cost import operation_cost
from graph.schema import schema
from graphql import OperationDefinitionNode, parse, validate
from infra.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.spec("X4")

BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)
EXAMPLES = BLOCK.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(
    "document", EXAMPLES, ids=[f"example {i + 1}" for i in range(len(EXAMPLES))]
)
def test_a_readme_example_is_valid(document: str) -> None:
    parsed = parse(document)
    errors = validate(schema._schema, parsed)
    assert not errors, [e.message for e in errors]
    settings = Settings()
    for operation in parsed.definitions:
        if isinstance(operation, OperationDefinitionNode):
            cost = operation_cost(schema._schema, parsed, operation, {}, settings.max_page_size)
            assert cost.total <= settings.max_query_cost
