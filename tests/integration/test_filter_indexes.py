"""The filter compiler writes the conditions the customer indexes can serve.

An expression index serves only the very expression it holds, a numeric bound on an integer
column makes PostgreSQL cast the column on every row, and LIKE 'prefix%' needs a pattern
operator class: a slip in any of them turns a million-customer count back into a table scan
without changing a single result, so the differential tests cannot see it. Here each compiled
count is planned (custom plan, as the service runs it) with sequential scans off, and the plan
must name the index and use the condition as an index condition.

The same holds for the shape of a count over linked sets: an EXISTS left under an OR keeps the
whole count in one process, and a count narrowed to one customer must not build the sets in
full. The last tests pin the parallel plans and the choice between the two forms.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Date, Integer, case, cast, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import Text as SqlText

from domain import filters as f
from domain.filters import Attr, Profile
from domain.period import Last, PeriodUnit, ThisMonth
from infra import tables as t
from infra.filter_sql import WholeSet, filter_clauses, scope_for, where, whole_set
from infra.repositories.customers import CustomerRepository
from infra.repositories.filtering import FilterRepository
from tests.conftest import FIXED_NOW, SHOP_ID, StatementLog

CASES = [
    pytest.param(
        f.Compare(Attr.ORDERS_COUNT, f.Range(Decimal(3), Decimal("4.5"))),
        "ix_customer_sort_orders_count",
        "orders_count <= 4",
        id="orders count range",
    ),
    pytest.param(
        f.Compare(Attr.ORDERS_COUNT, f.Range(Decimal("2.5"), Decimal(4), True, True)),
        "ix_customer_sort_orders_count",
        "orders_count <= 3",
        id="orders count between exclusive bounds",
    ),
    pytest.param(
        f.BirthdayMonth(11), "ix_customer_birthday", "birthday_key >= '1101'", id="birthday month"
    ),
    pytest.param(
        f.BirthdayBetween((12, 20), (1, 10)),
        "ix_customer_birthday",
        "birthday_key >= '1220'",
        id="birthday range over the new year",
    ),
    pytest.param(
        f.And((f.AnyOf(Attr.PROVINCE, ("Hồ Chí Minh",)), f.BirthdayBetween((3, 1), (3, 9)))),
        "ix_customer_province_folded",
        "birthday_key <= '309'",
        id="province and birthday range",
    ),
    pytest.param(
        f.Compare(Attr.PHONE, f.Text(f.TextOp.STARTS_WITH, "0123")),
        "ix_customer_phone",
        "~>=~ '083'",
        id="phone prefix",
    ),
    pytest.param(
        f.And((f.AnyOf(Attr.CARRIER, ("viettel",)), f.AnyOf(Attr.GENDER, ("female",)))),
        "ix_customer_carrier_gender",
        "carrier = 'viettel'",
        id="carrier and gender",
    ),
    pytest.param(
        f.Purchased(Last(30, PeriodUnit.DAYS)),
        "ix_customer_sort_last_order",
        "last_order_at >=",
        id="purchased in the last 30 days",
    ),
]


async def _customers(connection: AsyncConnection, count: int) -> None:
    """``count`` customers with spread values, and statistics on them."""
    n = func.generate_series(1, count).table_valued("n").render_derived(name="s").c.n
    rows = select(
        literal(SHOP_ID),
        n % 20,
        cast(literal(date(1990, 1, 1)), Date) + n,
        "0" + cast(800_000_000 + n * 7919 % 200_000_000, t.customer.c.phone.type),
        case((n % 3 == 0, "viettel"), (n % 3 == 1, "vinaphone"), else_="mobifone"),
        case((n % 2 == 0, "female"), else_="male"),
        case((n % 4 == 0, "Hồ Chí Minh"), (n % 4 == 1, "Hà Nội"), else_="Đà Nẵng"),
    )
    columns = ["shop_id", "orders_count", "birthday", "phone_normalized", "carrier", "gender"]
    await connection.execute(insert(t.customer).from_select([*columns, "province"], rows))
    await connection.exec_driver_sql("ANALYZE customer")


async def _plan(connection: AsyncConnection, condition: f.Condition, *, whole: bool = True) -> str:
    """The plan of the count of ``condition``, in the count's own form (``whole``) or in the
    form of a page's WHERE clause."""
    scope = scope_for(Profile.CUSTOMER, SHOP_ID, FIXED_NOW, "UTC")
    counted = whole_set(condition, scope) if whole else WholeSet((where(condition, scope),), ())
    query = (
        select(func.count())
        .select_from(counted.select_from(t.customer))
        .where(t.customer.c.shop_id == SHOP_ID, counted.clause)
    )
    await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return await _explain(connection, query)


async def _explain(connection: AsyncConnection, statement: Executable) -> str:
    """The plan PostgreSQL makes for ``statement`` with its parameters (custom plan, as the
    service runs it), as text."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    rows = await connection.exec_driver_sql("EXPLAIN " + compiled.string, params)
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(("condition", "index", "bound"), CASES)
async def test_count_is_served_by_the_index(
    connection: AsyncConnection, shop: int, condition: f.Condition, index: str, bound: str
) -> None:
    await _customers(connection, 5000)
    plan = await _plan(connection, condition)
    assert f" {index} " in plan, plan
    conditions = [line for line in plan.splitlines() if "Index Cond:" in line]
    assert any(bound in line for line in conditions), plan


async def test_member_since_page_reads_the_member_key_alone(
    connection: AsyncConnection, shop: int
) -> None:
    """A first page of customers who became members this month walks the members newest
    customer first; ``member_since`` rides in that key's index (migration 0015), so the walk
    never visits the member table."""
    await _customers(connection, 2000)
    c = t.customer.c
    await connection.execute(
        insert(t.member).from_select(
            ["shop_id", "customer_id", "member_code", "member_since"],
            select(
                c.shop_id,
                c.id,
                "M" + cast(c.id, t.member.c.member_code.type),
                literal(FIXED_NOW) - func.make_interval(0, 0, 0, cast(c.id % 300, Integer)),
            )
            .where(c.shop_id == SHOP_ID)
            .order_by(c.id),
        )
    )
    await connection.exec_driver_sql("ANALYZE member")
    condition = f.Linked(Profile.MEMBER, f.Compare(Attr.MEMBER_SINCE, f.Within(ThisMonth())))
    clause = where(condition, scope_for(Profile.CUSTOMER, SHOP_ID, FIXED_NOW, "UTC"))
    page = (
        select(t.customer.c.id)
        .where(t.customer.c.shop_id == SHOP_ID, clause)
        .order_by(t.customer.c.id.desc())
        .limit(51)
    )
    await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    await connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    plan = await _explain(connection, page)
    assert "Index Only Scan Backward using uq_member_shop_id_customer_id" in plan, plan


async def _tag_every(connection: AsyncConnection, name: str, step: int) -> None:
    """Tag ``name`` on every ``step``-th customer."""
    tag_id = await connection.scalar(
        insert(t.tag).values(shop_id=SHOP_ID, name=name).returning(t.tag.c.id)
    )
    c = t.customer.c
    await connection.execute(
        insert(t.customer_tag).from_select(
            ["shop_id", "customer_id", "tag_id"],
            select(c.shop_id, c.id, literal(tag_id)).where(c.shop_id == SHOP_ID, c.id % step == 0),
        )
    )
    await connection.exec_driver_sql("ANALYZE customer_tag")


@pytest.mark.spec("G1", "S8")
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            f.Or(
                (
                    f.AnyOf(Attr.TAG, ("VIP",)),
                    f.Compare(Attr.ORDERS_COUNT, f.Range(Decimal(15), None)),
                )
            ),
            id="tag or orders",
        ),
        pytest.param(
            f.Not(
                f.And(
                    (
                        f.AnyOf(Attr.TAG, ("VIP",)),
                        f.AnyOf(Attr.CARRIER, ("viettel",)),
                    )
                )
            ),
            id="not (tag and carrier)",
        ),
        pytest.param(
            f.And((f.Not(f.AnyOf(Attr.TAG, ("VIP",))), f.AnyOf(Attr.GENDER, ("female",)))),
            id="untagged women",
        ),
    ],
)
async def test_a_count_over_tagged_customers_can_run_in_parallel(
    connection: AsyncConnection, shop: int, condition: f.Condition
) -> None:
    """A count reads every matching customer. A tag under an OR (or a NOT turned into one)
    compiled as a page's EXISTS is a subplan with a per-row alternative, which keeps the
    whole count in one process; the count's own form left-joins the tagged customers instead,
    and a tag that is a conjunct is joined by name, with no InitPlan. With parallel plans made
    free, the count's form must be planned in parallel, with no subplan left."""
    await _customers(connection, 5000)
    await _tag_every(connection, "VIP", 7)
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        await connection.exec_driver_sql(f"SET LOCAL {setting} = 0")
    await connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 2")
    plan = await _plan(connection, condition)
    assert "Gather" in plan, plan
    assert "SubPlan" not in plan, plan
    assert "InitPlan" not in plan, plan


@pytest.mark.spec("X3", "G1")
async def test_parts_counted_side_by_side_join_each_set_once(
    connection: AsyncConnection, shop: int
) -> None:
    """A preview counts each part of a definition in one statement, as aggregate FILTER
    clauses, where an EXISTS can never become a join: PostgreSQL probed each one row by row.
    The parts' sets are left-joined instead, a set named twice joined once, and the counts
    are each part's own."""
    await _customers(connection, 3000)
    await _tag_every(connection, "VIP", 7)
    vip = f.AnyOf(Attr.TAG, ("vip",))
    women = f.AnyOf(Attr.GENDER, ("female",))
    parts = [vip, women, f.And((vip, women)), f.Not(vip)]
    forms = filter_clauses(parts, scope_for(Profile.CUSTOMER, SHOP_ID, FIXED_NOW, "UTC"))
    assert len(forms.joins) == 1
    statement = (
        select(*(func.count().filter(c) for c in forms.clauses))
        .select_from(forms.select_from(t.customer))
        .where(t.customer.c.shop_id == SHOP_ID)
    )
    scope = scope_for(Profile.CUSTOMER, SHOP_ID, FIXED_NOW, "UTC")
    alone = [
        await connection.scalar(
            select(func.count()).where(t.customer.c.shop_id == SHOP_ID, where(p, scope))
        )
        for p in parts
    ]
    assert alone[1] == 1500
    assert alone[0] + alone[3] == 3000
    assert list((await connection.execute(statement)).one()) == alone
    plan = await _explain(connection, statement)
    assert "SubPlan" not in plan, plan


@pytest.mark.spec("S6", "G1")
async def test_a_count_takes_the_form_postgresql_costs_lower(
    connection: AsyncConnection,
    session: AsyncSession,
    shop: int,
    sql_statements: StatementLog,
) -> None:
    """A count over most customers left-joins the tagged ones (a parallel plan); a count whose
    other conditions select one customer keeps the EXISTS, which probes that one instead of
    building the whole set. The choice is PostgreSQL's own costs, asked once per condition,
    and both counts are right."""
    await _customers(connection, 3000)
    await _tag_every(connection, "VIP", 7)
    c = t.customer.c
    one = await connection.scalar(select(c.phone_normalized).where(c.shop_id == SHOP_ID).limit(1))
    tagged_or_busy = f.Or(
        (f.AnyOf(Attr.TAG, ("VIP",)), f.Compare(Attr.ORDERS_COUNT, f.Range(Decimal(15), None)))
    )
    broad = tagged_or_busy
    narrow = f.And((f.Compare(Attr.PHONE, f.Text(f.TextOp.EQUALS, one)), tagged_or_busy))
    customers = CustomerRepository(session, SHOP_ID)
    filters = FilterRepository(session, SHOP_ID)
    for condition, joined in ((broad, True), (narrow, False)):
        where_ = await filters.where(Profile.CUSTOMER, condition, FIXED_NOW)
        assert where_.whole is not None
        expected = await connection.scalar(
            select(func.count()).where(c.shop_id == SHOP_ID, where_.clause)
        )
        for _ in range(2):
            sql_statements.clear()
            assert await customers.count(where_) == expected
            ran = sql_statements.statements
            counts = [s for s in ran if s.startswith("SELECT count(*)")]
            assert len(counts) == 1, ran
            assert ("LEFT OUTER JOIN" in counts[0]) is joined, counts[0]
        # Planned once: the second count ran its statement alone.
        assert not any(s.startswith("EXPLAIN") for s in sql_statements.statements)


@pytest.mark.spec("S6", "S8", "G1")
async def test_a_count_of_one_condition_on_other_rows_counts_their_keys(
    connection: AsyncConnection,
    session: AsyncSession,
    shop: int,
    sql_statements: StatementLog,
) -> None:
    """ "Tagged VIP" alone is counted from the taggings: their distinct customer ids are the
    customers (a foreign key within the shop), so the customer table is not read at all. A
    negated condition, or one beside others, keeps a statement over the customers."""
    await _customers(connection, 3000)
    await _tag_every(connection, "VIP", 7)
    c = t.customer.c
    vip = f.AnyOf(Attr.TAG, ("VIP",))
    women = f.AnyOf(Attr.GENDER, ("female",))
    customers = CustomerRepository(session, SHOP_ID)
    filters = FilterRepository(session, SHOP_ID)
    for condition, keyed in (
        (vip, True),
        (f.And((vip,)), True),
        (f.Not(vip), False),
        (f.And((vip, women)), False),
    ):
        where_ = await filters.where(Profile.CUSTOMER, condition, FIXED_NOW)
        expected = await connection.scalar(
            select(func.count()).where(c.shop_id == SHOP_ID, where_.clause)
        )
        sql_statements.clear()
        assert await customers.count(where_) == expected, condition
        [counted] = [s for s in sql_statements.statements if s.startswith("SELECT count(*)")]
        assert ("AS counted_keys" in counted) is keyed, counted
    where_ = await filters.where(Profile.CUSTOMER, vip, FIXED_NOW)
    assert where_.whole is not None
    assert where_.whole.keys is not None
    plan = await _explain(connection, select(func.count()).select_from(where_.whole.keys))
    assert " on customer " not in plan, plan
    assert " on customer_tag" in plan, plan


@pytest.mark.spec("S6", "X2")
async def test_a_count_reads_every_row_for_common_text_and_the_index_for_rare_text(
    connection: AsyncConnection,
    session: AsyncSession,
    shop: int,
    sql_statements: StatementLog,
) -> None:
    """Two in five customers are named Nguyễn, one in five thousand Thùy Trang. Counting
    "nguyen" through the trigram index would read every page through a bitmap, slower than
    reading the table in order, which PostgreSQL costs about alike: the count searches the
    text in every row (``strpos``). "thuy trang" is planned far cheaper through the index,
    so its count keeps the pattern the index serves. Without pg_trgm (the embedded server)
    there is no index, both forms cost the same, and both counts read every row. Either way
    the counts are right, and the choice is made once per condition."""
    n = func.generate_series(1, 50_000).table_valued("n").render_derived(name="s").c.n
    name = case(
        (n % 5000 == 0, "Thùy Trang " + cast(n, SqlText)),
        (n % 5 < 2, "Nguyễn Văn " + cast(n, SqlText)),
        else_="Trần Thị " + cast(n, SqlText),
    )
    carrier = case((n % 3 == 0, "viettel"), else_="mobifone")
    await connection.execute(
        insert(t.customer).from_select(
            ["shop_id", "full_name", "carrier"], select(literal(SHOP_ID), name, carrier)
        )
    )
    trigram = await connection.scalar(
        select(func.count())
        .select_from(text("pg_indexes"))
        .where(text("indexname = 'ix_customer_full_name_trgm'"))
    )
    if trigram:  # fresh entries wait in the index's pending list, which costs it dearly
        await connection.exec_driver_sql(
            "SELECT gin_clean_pending_list('ix_customer_full_name_trgm')"
        )
    await connection.exec_driver_sql("ANALYZE customer")
    customers = CustomerRepository(session, SHOP_ID)
    filters = FilterRepository(session, SHOP_ID)
    not_viettel = f.Not(f.AnyOf(Attr.CARRIER, ("viettel",)))
    for needle, expected, indexed in (
        ("nguyễn", sum(1 for i in range(1, 50_001) if i % 5000 and i % 5 < 2 and i % 3), False),
        ("THUY TRANG", sum(1 for i in range(1, 50_001) if not i % 5000 and i % 3), bool(trigram)),
    ):
        condition = f.And(
            (f.Compare(Attr.FULL_NAME, f.Text(f.TextOp.CONTAINS, needle)), not_viettel)
        )
        where_ = await filters.where(Profile.CUSTOMER, condition, FIXED_NOW)
        assert where_.scanned is not None
        for _ in range(2):
            sql_statements.clear()
            assert await customers.count(where_) == expected, needle
            [counted] = [s for s in sql_statements.statements if s.startswith("SELECT count(*)")]
            assert ("LIKE" in counted) is indexed, counted
            assert ("strpos(" in counted) is not indexed, counted
        assert not any(s.startswith("EXPLAIN") for s in sql_statements.statements)


@pytest.mark.spec("G2")
async def test_a_page_looks_up_the_products_once_and_a_count_joins_them(
    connection: AsyncConnection, shop: int
) -> None:
    """A first page walks the newest customers and probes their orders: with the products
    joined, every order line of every walked customer probed the product too (22 ms against 9
    at a million customers). The page reads the products' ids first, as an array; a count,
    which reads every matching line and runs in parallel, keeps the join (an InitPlan would
    keep it in one process)."""
    bought = f.Purchased(Last(6, PeriodUnit.MONTHS), skus=("TXD018-DEN", "NHN026-DEN"))
    page = await _plan(connection, bought, whole=False)
    assert "InitPlan" in page, page
    assert "(product_id = ANY ($" in page, page
    assert page.count(" on product") == 1, page
    count = await _plan(connection, bought)
    assert "InitPlan" not in count, count
    assert " on product" in count, count
