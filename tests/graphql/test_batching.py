"""Nested fields of a list are batched: the number of statements does not grow with the page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from graph.schema import schema
from infra import tables as t
from tests.conftest import GraphQL, StatementLog
from tests.factories import SHOP_ID, make_customer, make_member, make_page, make_tag

CUSTOMERS_WITH_NESTED = """
query Customers($first: Int!) {
  customers(first: $first) {
    totalCount
    nodes { fullName tags { name } member { memberCode points { available pending used } } }
  }
}
"""


@pytest.mark.parametrize("first", [2, 10, 40])
async def test_customer_page_statements_are_constant(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog, first: int
) -> None:
    tag = await make_tag(session, name="VIP")
    for i in range(40):
        customer = await make_customer(session, full_name=f"Khách {i}")
        await make_member(session, customer_id=customer)
        await session.execute(
            insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=customer, tag_id=tag)
        )
    await session.flush()

    sql_statements.clear()
    body = await gql(CUSTOMERS_WITH_NESTED, {"first": first})

    assert "errors" not in body, body
    assert len(body["data"]["customers"]["nodes"]) == first
    assert all(n["tags"] == [{"name": "VIP"}] for n in body["data"]["customers"]["nodes"])
    # token, the page with its tags, count, members, pending points: five, whatever the size
    assert len(sql_statements) == 5, sql_statements.statements


COUNT_ONLY = """
query Count($filter: ProfileFilter) {
  customers(filter: $filter) { totalCount }
}
"""

COUNT_IN_FRAGMENT = """
fragment Counted on CustomerConnection { totalCount }
query CountInFragment { customers { ...Counted } }
"""

COUNT_AND_CURSOR = """
query CountAndCursor {
  customers(first: 1) { totalCount pageInfo { hasNextPage } }
}
"""


async def test_a_count_only_list_runs_no_page_statement(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog
) -> None:
    for name in ("Nguyễn Văn An", "Trần Thị Vân", "Lê Minh"):
        await make_customer(session, full_name=name)
    await session.flush()

    sql_statements.clear()
    body = await gql(COUNT_ONLY, {"filter": {"fullName": {"contains": "van"}}})

    assert "errors" not in body, body
    assert body["data"]["customers"]["totalCount"] == 2
    # token and count: the newest-first page is not fetched when nothing of it is selected
    # (the first count of a condition that searches text also plans its two forms, once)
    ran = [s for s in sql_statements.statements if not s.startswith("EXPLAIN")]
    assert len(ran) == 2, sql_statements.statements
    assert "count(" in ran[-1]

    sql_statements.clear()
    body = await gql(COUNT_AND_CURSOR)

    assert body["data"]["customers"] == {"totalCount": 3, "pageInfo": {"hasNextPage": True}}
    # page and count: the token was resolved by the first request and is kept briefly
    assert len(sql_statements) == 2, sql_statements.statements

    sql_statements.clear()
    body = await gql(COUNT_IN_FRAGMENT)

    assert body["data"]["customers"] == {"totalCount": 3}
    # a count asked through a fragment is still only the count
    assert len(sql_statements) == 1, sql_statements.statements


@pytest.mark.spec("X4")
async def test_a_count_only_sorted_list_or_shared_contacts_run_no_page_statement(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog
) -> None:
    """Every connection reads its page only when something of it is selected, as its cost
    (``graph.cost``) assumes: a list in another order, and the shared contacts, too."""
    for name in ("Nguyễn Văn An", "Trần Thị Vân", "Lê Minh"):
        await make_customer(session, full_name=name, phone="0912345678")
    await session.flush()
    await gql("{ shop { name } }")  # the token is read, and kept briefly

    counts = {}
    for query in (
        "{ customers(first: 50, orderBy: {by: TOTAL_SPENT}) { totalCount } }",
        "{ sharedContacts(first: 50) { totalCount } }",
    ):
        sql_statements.clear()
        body = await gql(query)
        assert "errors" not in body, body
        [counted] = body["data"].values()
        counts[query] = (counted["totalCount"], len(sql_statements))

    assert list(counts.values()) == [(3, 1), (1, 1)], sql_statements.statements


TAGS_EVERY_WAY = """
fragment Tagged on Customer { tags { name } }
query Tags($id: ID!) {
  viaNodes: customers(first: 5) { nodes { ...Tagged } }
  viaEdges: customers(first: 5) { edges { node { ... on Customer { tags { name } } } } }
  twice: customers(first: 5) { nodes { a: tags { name } b: tags { id } } }
  node(id: $id) { ... on Customer { tags { name } again: tags { name } } }
  plain: customers(first: 5) { nodes { fullName } }
}
"""


async def test_customer_tags_are_served_whichever_way_they_are_asked(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog
) -> None:
    """Through a named fragment, an inline one, `edges`, under two aliases, and on a single
    customer: the tags are there each time, and never cost a statement per customer."""
    vip = await make_tag(session, name="VIP")
    loyal = await make_tag(session, name="Khách quen")
    ids = []
    for i in range(5):
        customer = await make_customer(session, full_name=f"Khách {i}")
        ids.append(customer)
        for tag in (vip, loyal) if i % 2 == 0 else (vip,):
            await session.execute(
                insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=customer, tag_id=tag)
            )
    await session.flush()
    node_id = base64.b64encode(f"Customer:{ids[0]}".encode()).decode()

    sql_statements.clear()
    body = await gql(TAGS_EVERY_WAY, {"id": node_id})

    assert "errors" not in body, body
    data = body["data"]
    newest_first = [
        ["Khách quen", "VIP"],
        ["VIP"],
        ["Khách quen", "VIP"],
        ["VIP"],
        ["Khách quen", "VIP"],
    ]
    assert [[g["name"] for g in n["tags"]] for n in data["viaNodes"]["nodes"]] == newest_first
    edges = data["viaEdges"]["edges"]
    assert [[g["name"] for g in e["node"]["tags"]] for e in edges] == newest_first
    assert [[g["name"] for g in n["a"]] for n in data["twice"]["nodes"]] == newest_first
    assert all(len(n["b"]) == len(n["a"]) and n["b"][0]["id"] for n in data["twice"]["nodes"])
    assert [g["name"] for g in data["node"]["tags"]] == ["Khách quen", "VIP"]
    assert data["node"]["again"] == data["node"]["tags"]
    assert len(data["plain"]["nodes"]) == 5
    # token, four pages (each reading its rows' tags itself), the single customer, its tags
    assert len(sql_statements) == 7, sql_statements.statements


ROOT_READS = {
    "shop": "shop { name timezone pointsDelayHours }",
    "viewer": "viewer { name role }",
    "inboxSettings": "inboxSettings { mergeMode introduction mergedPages { name } }",
    "inboxTags": "inboxTags { page { name } tags { name } }",
    "savedFilters": "savedFilters(list: CUSTOMERS) { name mine definition }",
    "filterCatalogue": "filterCatalogue(list: CUSTOMERS) { attributes { field suggestions { value } } "
    "customFields { key } }",
}


@pytest.mark.spec("X4")
@pytest.mark.parametrize("field", ROOT_READS)
async def test_aliases_of_a_root_read_share_its_statements(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog, field: str
) -> None:
    """A field that is no page costs 1 (``graph.cost``), so a document may alias it hundreds
    of times: each alias must not read the database again."""
    page = await make_page(session)
    await make_tag(session, name="Đã chốt đơn", page_id=page)
    await make_tag(session, name="VIP")
    await session.execute(
        insert(t.custom_field).values(shop_id=SHOP_ID, key="size", label="Cỡ áo", type="text")
    )
    await session.flush()
    saved = await gql(
        "mutation($input: SavedFilterCreateInput!) { savedFilterCreate(input: $input) "
        "{ userErrors { code } } }",
        {"input": {"list": "CUSTOMERS", "name": "Khách VIP", "definition": {"include": []}}},
    )
    assert saved["data"]["savedFilterCreate"]["userErrors"] == []

    body, alone, aliased = await statements_of_aliases(
        gql, sql_statements, lambda i: f"a{i}: {ROOT_READS[field]}", 3
    )

    assert body["data"]["a0"] == body["data"]["a2"]
    assert aliased == alone, sql_statements.statements


NODE_TYPES = sorted(
    t.name
    for t in schema._schema.get_possible_types(schema._schema.type_map["Node"])  # type: ignore[arg-type]
)


@pytest.mark.spec("X4")
@pytest.mark.parametrize("type_name", NODE_TYPES)
async def test_nodes_of_one_type_are_fetched_in_one_statement(
    gql: GraphQL, sql_statements: StatementLog, type_name: str
) -> None:
    def node(i: int) -> str:
        return f'n{i}: node(id: "{base64.b64encode(f"{type_name}:{i + 1}".encode()).decode()}") {{ id }}'

    body, alone, aliased = await statements_of_aliases(gql, sql_statements, node, 20)

    assert body["data"]["n19"] is None  # no such row in this shop
    assert aliased == alone == 1, sql_statements.statements


async def statements_of_aliases(
    gql: GraphQL, sql_statements: StatementLog, alias: Callable[[int], str], n: int
) -> tuple[dict[str, Any], int, int]:
    """The body of a document of ``n`` aliases, and how many statements a document of the first
    alias alone and that one ran. The token is read before, so neither count holds it."""
    await gql("{ __typename }")
    counts = []
    for size in (1, n):
        sql_statements.clear()
        body = await gql("{ " + " ".join(alias(i) for i in range(size)) + " }")
        assert "errors" not in body, body
        counts.append(len(sql_statements))
    return body, counts[0], counts[1]


def define_and_use(key: str) -> str:
    return f"""
      define_{key}: customFieldDefine(input: {{key: "{key}", label: "{key}", type: TEXT}}) {{
        userErrors {{ code }}
      }}
      use_{key}: segmentCreate(input: {{name: "{key}", list: SUBSCRIBERS, definition: {{
        include: [{{customField: [{{key: "{key}", text: {{equals: "M"}}}}]}}], exclude: []
      }}}}) {{ segment {{ name }} userErrors {{ code field message }} }}"""


@pytest.mark.spec("X4")
async def test_a_mutation_reads_anew_what_its_earlier_fields_changed(gql: GraphQL) -> None:
    """A query's fields share what they read; a mutation's may not, since each field may
    change what the next one reads: here each definition needs the field defined just before."""
    body = await gql(f"mutation {{ {define_and_use('size')} {define_and_use('color')} }}")

    assert "errors" not in body, body
    assert body["data"]["use_size"] == {"segment": {"name": "size"}, "userErrors": []}
    assert body["data"]["use_color"] == {"segment": {"name": "color"}, "userErrors": []}


@pytest.mark.spec("X4")
async def test_filters_of_a_query_read_the_custom_fields_once(
    gql: GraphQL, session: AsyncSession, sql_statements: StatementLog
) -> None:
    await session.execute(
        insert(t.custom_field).values(shop_id=SHOP_ID, key="size", label="Cỡ áo", type="text")
    )
    await session.flush()
    counted = 'subscribers(first: 0, filter: {customField: [{key: "size", text: {equals: "M"}}]})'

    await statements_of_aliases(
        gql, sql_statements, lambda i: f"a{i}: {counted} {{ totalCount }}", 3
    )

    # each alias runs its count; the custom fields are read for the first alone
    reads = [s for s in sql_statements.statements if "FROM custom_field " in s]
    counts = [s for s in sql_statements.statements if "count(" in s]
    assert (len(reads), len(counts)) == (1, 3), sql_statements.statements

    # the catalogue's custom fields beside a filter on them: the same one read
    sql_statements.clear()
    body = await gql(
        f"{{ c: {counted} {{ totalCount }} "
        "filterCatalogue(list: SUBSCRIBERS) { customFields { key label type } } }"
    )

    assert "errors" not in body, body
    assert body["data"]["filterCatalogue"]["customFields"] == [
        {"key": "size", "label": "Cỡ áo", "type": "text"}
    ]
    reads = [s for s in sql_statements.statements if "FROM custom_field " in s]
    assert len(reads) == 1, sql_statements.statements
