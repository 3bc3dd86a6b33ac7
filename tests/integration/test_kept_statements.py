"""A page or count statement whose parts recur is compiled once and read straight from the
driver; it returns what SQLAlchemy's path returns, and parts made anew are never kept."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, and_, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import tables as t
from infra.database import SerialSession
from infra.repositories.customers import CustomerRepository
from infra.statements import KeptStatements
from tests.conftest import GraphQL, StatementLog, unbudgeted
from tests.factories import SHOP_ID, make_customer, make_tag

pytestmark = pytest.mark.spec("S6", "S7")


def _where() -> Any:
    c = t.customer.c
    # an expanding IN list, an array argument SQLAlchemy converts, and a LIKE with an escape
    return and_(
        c.gender.in_(["female", "male"]),
        c.channels.op("&&")(["web", "facebook"]),
        c.full_name_folded.contains("van", autoescape=True),
    )


def _build(where: Any, limit: int) -> Select[Any]:
    return (
        select(*CustomerRepository.columns)
        .where(t.customer.c.shop_id == SHOP_ID, where)
        .order_by(t.customer.c.id.desc())
        .limit(bindparam("limit", limit))
    )


async def test_kept_on_second_sight_and_answers_as_sqlalchemy(
    session: AsyncSession, shop: int, sql_statements: StatementLog
) -> None:
    assert isinstance(session, SerialSession)
    for i, (gender, channels) in enumerate(
        [("female", ["web"]), ("male", ["facebook", "zalo"]), ("female", ["shopee"])] * 2
    ):
        await make_customer(
            session, gender=gender, channels=channels, full_name=f"Trần Văn {i}", ward=None
        )
    await session.flush()
    dialect = session.get_bind().dialect
    kept = KeptStatements()
    where = _where()

    def build() -> Select[Any]:
        return _build(where, 3)

    assert kept.get(("page",), (where,), build, dialect, ("limit",)) is None  # first sight
    found = kept.get(("page",), (where,), build, dialect, ("limit",))
    assert found is not None
    assert kept.get(("page",), (_where(),), build, dialect, ("limit",)) is None  # an equal copy

    expected = [tuple(r) for r in (await session.execute(_build(where, 10))).all()]
    assert len(expected) == 4
    sql_statements.clear()
    rows = await session.driver_fetch(found.sql, found.bound({"limit": 10}))
    assert [tuple(r) for r in rows] == expected
    assert sql_statements.statements == [found.sql]  # listeners see it
    short = await session.driver_fetch(found.sql, found.bound({"limit": 2}))
    assert [tuple(r) for r in short] == expected[:2]


async def test_a_statement_is_kept_for_its_parts_not_their_ids() -> None:
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    kept = KeptStatements(limit=2)
    first = _where()
    kept.get(("count",), (first,), lambda: _build(first, 1), dialect())
    assert kept.get(("count",), (first,), lambda: _build(first, 1), dialect()) is not None
    # the kept entry holds its parts: their ids cannot pass to other objects meanwhile
    entry = kept.get(("count",), (first,), lambda: _build(first, 1), dialect())
    assert entry is not None
    assert entry.parts == (first,)


PAGE = """
query Page($filter: ProfileFilter) {
  customers(first: 2, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { fullName gender channels totalSpent tags { name } }
  }
}
"""


async def test_repeated_filtered_pages_are_the_same_through_the_kept_statement(
    gql: GraphQL, session: AsyncSession, shop: int, driver_fetches: list[str]
) -> None:
    vip = await make_tag(session, name="VIP")
    for i in range(5):
        customer = await make_customer(
            session, full_name=f"Lê Văn {i}", gender="female", channels=["web"], total_spent=i
        )
        if i % 2:
            await session.execute(
                insert(t.customer_tag).values(shop_id=SHOP_ID, customer_id=customer, tag_id=vip)
            )
    await make_customer(session, full_name="Lê Thị Khác", gender="male", channels=["web"])
    await session.flush()
    variables = {"filter": {"gender": {"anyOf": ["FEMALE"]}, "channel": {"anyOf": ["WEB"]}}}

    answers = [await gql(PAGE, variables) for _ in range(3)]  # SQLAlchemy, then kept twice

    assert len(driver_fetches) == 4  # the page and the count of the second and third requests
    assert unbudgeted(answers[0]) == unbudgeted(answers[1]) == unbudgeted(answers[2])
    page = answers[0]["data"]["customers"]
    assert page["totalCount"] == 5
    assert [n["fullName"] for n in page["nodes"]] == ["Lê Văn 4", "Lê Văn 3"]
    assert page["nodes"][1]["tags"] == [{"name": "VIP"}]
    after = {**variables, "after": page["pageInfo"]["endCursor"]}
    query = PAGE.replace("$filter: ProfileFilter)", "$filter: ProfileFilter, $after: String)")
    query = query.replace("first: 2,", "first: 2, after: $after,")
    pages = [await gql(query, after) for _ in range(3)]
    assert unbudgeted(pages[0]) == unbudgeted(pages[1]) == unbudgeted(pages[2])
    assert [n["fullName"] for n in pages[0]["data"]["customers"]["nodes"]] == [
        "Lê Văn 2",
        "Lê Văn 1",
    ]


def test_a_statement_sqlalchemy_must_convert_at_run_time_is_refused_once() -> None:
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.dialects.postgresql.asyncpg import dialect
    from sqlalchemy.types import Text

    kept = KeptStatements()
    where = _where()
    built: list[int] = []

    def build() -> Select[Any]:
        built.append(1)
        channels = bindparam("channels", ["web"], type_=ARRAY(Text))
        return _build(where, 1).where(t.customer.c.channels.op("&&")(channels))

    for _ in range(3):
        assert kept.get(("page",), (where,), build, dialect(), ("channels",)) is None
    assert len(built) == 1  # compiled on the second sight, refused, and not compiled again
