"""One request may ask only so much: rows of pages and counts of whole lists are summed over
the operation before it runs, and a costlier one is refused with what it costs (X4)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from graph.cost import COUNT_COST, MAX_FIELDS, Cost, actual_cost, operation_cost
from graph.schema import schema
from graphql import DocumentNode, OperationDefinitionNode, parse
from infra.settings import Settings
from tests.conftest import GraphQL, StatementLog, app_client
from tests.factories import make_customer

pytestmark = pytest.mark.spec("X4")

LIMIT = Settings().max_query_cost

SEGMENTS = """
query Segments($first: Int, $withCounts: Boolean = true) {
  segments(first: $first) {
    totalCount
    nodes { name memberCount @include(if: $withCounts) }
  }
}
"""


def parsed(query: str) -> tuple[DocumentNode, OperationDefinitionNode]:
    """A document and its (first) operation."""
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return document, operation


def cost_of(query: str, variables: dict[str, object] | None = None) -> Cost:
    document, operation = parsed(query)
    return operation_cost(schema._schema, document, operation, variables, 100)


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        # a page of the default size with each row's tags, then with its count
        ("{ customers { nodes { fullName tags { name } } } }", None, 20 + 20),
        ("{ customers(first: 50) { totalCount nodes { id } } }", None, 50 + COUNT_COST),
        # a count alone reads no rows, whatever the page size; fragments are looked into
        ("{ customers(first: 0) { totalCount } }", None, COUNT_COST),
        ("{ customers(first: 100) { totalCount __typename } }", None, COUNT_COST),
        (
            "{ customers(first: 30) { ...C } } fragment C on CustomerConnection { totalCount }",
            None,
            COUNT_COST,
        ),
        (
            "{ customers(first: 30) { ... on CustomerConnection { totalCount pageInfo "
            "{ hasNextPage } } } }",
            None,
            30 + COUNT_COST,
        ),
        # directives are not evaluated there: the page is read as at run time
        (
            "{ customers(first: 30) { totalCount nodes @skip(if: true) { id } } }",
            None,
            30 + COUNT_COST,
        ),
        # the page size comes from a variable, or the variable's default
        (SEGMENTS, {"first": 10}, 1 * COUNT_COST + 10 + 10 * COUNT_COST),
        (SEGMENTS, {"first": 10, "withCounts": False}, COUNT_COST + 10),
        ("query($n: Int = 7) { tags(first: $n) { nodes { name } } }", None, 7),
        # rows inside rows: 30 inbox rows of 3 threads each (the fields' defaults)
        ("{ inbox { nodes { key threads { nodes { id } } } } }", None, 30 + 30 * 3),
        # edges repeat like nodes; pageInfo does not
        (
            "{ segments(first: 5) { pageInfo { hasNextPage } edges { node { "
            "members(first: 40) { totalCount } } } } }",
            None,
            5 + 5 * COUNT_COST,
        ),
        # fragments, named and inline, count where they are spread
        (
            "query { segments(first: 4) { nodes { ...S } } } "
            "fragment S on Segment { ... on Segment { memberCount } }",
            None,
            4 + 4 * COUNT_COST,
        ),
        # a preview: one page of `first` members and its counts, counted once each
        (
            "query($d: GroupInput!) { segmentPreview(definition: $d, first: 30) "
            "{ count members { id } conditions { count } exclusions { count } } }",
            {"d": {}},
            30 + 3 * COUNT_COST,
        ),
        # aliases add up
        ("{ a: customers { nodes { id } } b: members { totalCount } }", None, 20 + COUNT_COST),
        # objects inside rows cost one each per row; scalars nothing
        (
            "{ customers(first: 10) { nodes { member { points { available } "
            "customer { fullName } } tags { name } } } }",
            None,
            10 + 10 * 4,
        ),
        # a mutation's payload and what it holds
        (
            'mutation { tagCreate(input: {name: "x"}) { tag { name } userErrors { code } } }',
            None,
            3,
        ),
        # a mutation's input: each item of its lists, the rows it writes
        (
            'mutation { tagAdd(input: {tagIds: ["a", "b"], customerIds: ["c", "d", "e"]}) '
            "{ userErrors { code } } }",
            None,
            2 + 5,
        ),
        (
            "mutation($i: CustomerBulkUpsertInput!) { customerBulkUpsert(input: $i) "
            "{ results { id } } }",
            {"i": {"items": [{"externalId": str(n), "tags": ["x", "y"]} for n in range(250)]}},
            2 + 250,  # the tags inside each item are not counted again
        ),
        (
            'mutation($ids: [ID!]) { a: tagAdd(input: {tagIds: ["t"], customerIds: $ids}) '
            "{ userErrors { code } } b: tagRemove(input: {tagIds: [], threadIds: $ids}) "
            "{ userErrors { code } } }",
            {"ids": ["1", "2", "3", "4"]},
            2 + 5 + 2 + 4,
        ),
        # sizes out of range are the field's own error, not the cost's
        ("{ customers(first: 100000) { nodes { id } } }", None, 100),
        ("query($n: Int) { customers(first: $n) { nodes { id } } }", {"n": "many"}, 20),
        # JSON may write an integer as 100.0, which GraphQL takes as 100
        ("query($n: Int) { customers(first: $n) { nodes { id } } }", {"n": 100.0}, 100),
    ],
)
def test_an_operation_costs_its_rows_and_counts(
    query: str, variables: dict[str, object] | None, expected: int
) -> None:
    assert cost_of(query, variables).total == expected


def actual_of(
    query: str, data: dict[str, object], variables: dict[str, object] | None = None
) -> tuple[int | None, int]:
    """What ``query`` cost as it returned ``data``, and what it was charged before it ran."""
    document, operation = parsed(query)
    requested = operation_cost(schema._schema, document, operation, variables, 100).total
    return actual_cost(schema._schema, document, operation, variables, data), requested


def rows(n: int, **fields: object) -> list[dict[str, object]]:
    return [{"id": str(i), **fields} for i in range(n)]


@pytest.mark.parametrize(
    ("query", "data", "variables", "expected"),
    [
        # a page of 50 that returned 3 rows, and its count
        (
            "{ customers(first: 50) { totalCount nodes { id } } }",
            {"customers": {"totalCount": 3, "nodes": rows(3)}},
            None,
            3 + COUNT_COST,
        ),
        # a count alone: the count
        ("{ customers { totalCount } }", {"customers": {"totalCount": 7}}, None, COUNT_COST),
        # pages inside rows: each at the rows it returned; edges are rows like nodes
        (
            "{ segments(first: 5) { edges { node { members(first: 40) { nodes { id } } } } } }",
            {
                "segments": {
                    "edges": [
                        {"node": {"members": {"nodes": rows(1)}}},
                        {"node": {"members": {"nodes": []}}},
                    ]
                }
            },
            None,
            2 + 1 + 0,
        ),
        # an object costs 1 where the result holds one, not where it is null
        (
            "{ customers(first: 10) { nodes { member { points { available } } tags { name } } } }",
            {
                "customers": {
                    "nodes": [
                        {"member": {"points": {"available": 5}}, "tags": []},
                        {"member": None, "tags": [{"name": "VIP"}]},
                    ]
                }
            },
            None,
            2 + 1 + 1 + 2,  # two rows, one member, its points, two lists of tags
        ),
        # fields of one response key from two fragments are one field, priced once
        (
            "{ customers(first: 10) { nodes { ...A ...B } } } "
            "fragment A on Customer { member { id } } "
            "fragment B on Customer { member { points { available } } }",
            {"customers": {"nodes": [{"member": {"id": "m", "points": {"available": 1}}}]}},
            None,
            1 + 1 + 1,
        ),
        # aliases are priced each, and a skipped field not at all
        (
            "query($all: Boolean = false) { a: customers(first: 20) { nodes { id } } "
            "b: customers(first: 20) @include(if: $all) { nodes { id } } }",
            {"a": {"nodes": rows(20)}},
            None,
            20,
        ),
        # a mutation: its payload and the items of its input, as charged
        (
            'mutation { tagAdd(input: {tagIds: ["a"], customerIds: ["c", "d"]}) '
            "{ userErrors { code } } }",
            {"tagAdd": {"userErrors": []}},
            None,
            3 + 2,
        ),
    ],
)
def test_what_an_operation_used_is_read_off_its_result(
    query: str, data: dict[str, object], variables: dict[str, object] | None, expected: int
) -> None:
    actual, requested = actual_of(query, data, variables)

    assert actual == expected
    assert actual <= requested


def test_a_cost_is_walked_once_per_document_unless_it_reads_variables() -> None:
    """The parser's cache hands one document object to every request of its text: a cost
    read off the document alone is kept for it, one that reads a variable is walked anew."""

    def costs(query: str, *variables: dict[str, object]) -> list[Cost]:
        document, operation = parsed(query)
        return [operation_cost(schema._schema, document, operation, v, 100) for v in variables]

    fixed = costs(
        "query($f: ProfileFilter) { customers(first: 50, filter: $f) { nodes { id } } }",
        {"f": None},
        {"f": {"phone": {"hasValue": True}}},
    )
    assert fixed[0] is fixed[1]
    assert fixed[0].total == 50

    paged = costs(SEGMENTS, {"first": 10}, {"first": 50}, {"first": 10, "withCounts": False})
    assert [c.total for c in paged] == [
        COUNT_COST + 10 + 10 * COUNT_COST,
        COUNT_COST + 50 + 50 * COUNT_COST,
        COUNT_COST + 10,
    ]
    upserts = costs(
        "mutation($rows: [CustomerUpsertInput!]!) { customerBulkUpsert(input: {customers: $rows})"
        " { userErrors { message } } }",
        {"rows": [{}] * 3},
        {"rows": [{}] * 7},
    )
    assert upserts[1].total - upserts[0].total == 4


def test_the_costliest_field_is_named_with_its_path() -> None:
    cost = cost_of(
        "{ segments(first: 100) { totalCount nodes { members(first: 100) { nodes { id } } } } }"
    )

    assert cost.total == 100 + COUNT_COST + 100 * 100
    assert cost.costliest == "segments.nodes.members"


def _spread_under_aliases(aliases: int, levels: int) -> str:
    """A document whose fragments each spread the one below under ``aliases`` aliases."""
    fragments = ["fragment F0 on Customer { fullName }"]
    for level in range(1, levels + 1):
        spread = " ".join(f"a{i}: customer {{ ...F{level - 1} }}" for i in range(aliases))
        fragments.append(f"fragment F{level} on Customer {{ member {{ {spread} }} }}")
    return f"{{ customers(first: 100) {{ nodes {{ ...F{levels} }} }} }} {' '.join(fragments)}"


def test_objects_nested_under_aliases_multiply() -> None:
    cost = cost_of(_spread_under_aliases(4, 5))
    # per row: the member and its four customers at each of five levels
    per_row = sum(4**level + 4 ** (level - 1) for level in range(1, 6))
    assert cost.total == 100 + 100 * per_row


def test_the_walk_stops_at_a_bound_of_fields() -> None:
    cost = cost_of(_spread_under_aliases(10, 5))

    assert not cost.complete


async def test_fragments_spread_under_aliases_are_refused(gql: GraphQL) -> None:
    # 4 aliases over 5 levels resolve about 1,400 objects a row, 6 seconds of CPU on a demo shop
    costly = await gql(_spread_under_aliases(4, 5))
    endless = await gql(_spread_under_aliases(10, 5))

    assert costly["data"] is None
    assert costly["errors"][0]["extensions"]["field"].startswith("customers.nodes.member")
    assert costly["errors"][0]["extensions"]["cost"] > LIMIT
    assert endless["data"] is None
    assert endless["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "TOO_COMPLEX",
        "maxFields": MAX_FIELDS,
    }
    assert "more than 20,000 fields" in endless["errors"][0]["message"]


async def test_a_request_over_the_limit_is_refused_before_any_statement(
    gql: GraphQL, sql_statements: StatementLog
) -> None:
    sql_statements.clear()

    body = await gql(SEGMENTS, {"first": 100})

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "segments.nodes.memberCount",
        "reason": "TOO_COMPLEX",
        "cost": 100 + 101 * COUNT_COST,
        "maxCost": LIMIT,
    }
    assert "would cost 10,200 (at most 10,000)" in error["message"]
    assert "`segments.nodes.memberCount` alone costs 10,000" in error["message"]
    assert "first" in error["message"]
    assert body["extensions"] == {"cost": {"requested": 100 + 101 * COUNT_COST, "maximum": LIMIT}}
    # the token and the shop's time zone may be read; no list is
    assert not [s for s in sql_statements.statements if "segment" in s or "customer" in s]


async def test_aliases_of_counts_add_up_to_a_refusal(gql: GraphQL) -> None:
    within = " ".join(f"c{i}: customers(first: 0) {{ totalCount }}" for i in range(100))
    over = within + " c100: customers(first: 0) { totalCount }"

    assert (await gql(f"{{ {within} }}"))["data"]["c99"] == {"totalCount": 0}
    refused = await gql(f"{{ {over} }}")
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["cost"] == 101 * COUNT_COST


async def test_a_request_within_the_limit_runs(gql: GraphQL, session: AsyncSession) -> None:
    await make_customer(session, full_name="Trần Thị Cân")
    created = await gql(
        "mutation($input: SegmentCreateInput!) { segmentCreate(input: $input) "
        "{ userErrors { code } } }",
        {"input": {"name": "Mọi người", "definition": {}}},
    )
    assert created["data"]["segmentCreate"]["userErrors"] == []

    body = await gql(SEGMENTS, {"first": 98})  # 98 + 99 counts = 9,998

    assert "errors" not in body, body
    # a response says what it cost, so a client sees how near the limit it is
    cost = body["extensions"]["cost"]
    assert (cost["requested"], cost["maximum"]) == (9_998, LIMIT)
    assert body["data"]["segments"]["nodes"] == [{"name": "Mọi người", "memberCount": 1}]
    # without the counts a page of 100 is cheap
    cheap = await gql(SEGMENTS, {"first": 100, "withCounts": False})
    assert cheap["data"]["segments"]["totalCount"] == 1


@pytest_asyncio.fixture(loop_scope="session")
async def unlimited(connection: AsyncConnection, now: object) -> AsyncIterator[AsyncClient]:
    async with app_client(connection, now, Settings(max_query_cost=0)) as client:  # type: ignore[arg-type]
        yield client


async def test_the_limit_is_a_setting_and_zero_lifts_it(unlimited: AsyncClient, token: str) -> None:
    response = await unlimited.post(
        "/graphql",
        json={"query": SEGMENTS, "variables": {"first": 100}},
        headers={"Authorization": f"Bearer {token}"},
    )

    body = response.json()
    assert body["data"] == {"segments": {"totalCount": 0, "nodes": []}}
    assert "errors" not in body
    cost = body["extensions"]["cost"]
    assert cost["requested"] == 100 + 101 * COUNT_COST
    assert "maximum" not in cost
