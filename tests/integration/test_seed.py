"""The demo-shop generator writes consistent, reproducible data (``make seed``, ``make run``).

The demo shops live in the suite's migrated database under shop ids no other test uses and are
deleted afterwards; the bulk path, which sets indexes and keys aside, runs on a scratch database
of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from cli import migrate
from domain.phone import carrier_of, normalize_phone
from domain.text import fold
from infra.database import asyncpg_dsn, with_database
from infra.seed import SeedReport, _discard, _seed_shop, seed_shop
from infra.seed.vietnam import DEFAULT_PAGE_TAGS
from tests.conftest import _admin

SHOP = 9101
TWIN = 9102
CUSTOMERS = 2000
SEED = 7


async def _connect(url: str) -> asyncpg.Connection:
    dsn, kwargs = asyncpg_dsn(url)
    return await asyncpg.connect(dsn, **kwargs)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await _connect(database_url)
    try:
        yield conn
    finally:
        for shop in (SHOP, TWIN):
            # Child tables first: a cascade from customer would SET NULL the whole composite
            # foreign key of subscriber and thread (shop_id included).
            await _discard(conn, shop)
            await conn.execute("DELETE FROM shop WHERE shop_id = $1", shop)
        await conn.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def report(database_url: str, db: asyncpg.Connection) -> SeedReport:
    return await seed_shop(
        database_url, customers=CUSTOMERS, seed=SEED, shop_id=SHOP, progress=False
    )


async def _people(db: asyncpg.Connection, shop: int) -> list[tuple[object, ...]]:
    rows = await db.fetch(
        "SELECT full_name, gender, birthday, phone, email, address, orders_count, total_spent"
        " FROM customer WHERE shop_id = $1 ORDER BY id",
        shop,
    )
    return [tuple(row) for row in rows]


async def test_report_counts_what_was_written(report: SeedReport, db: asyncpg.Connection) -> None:
    assert report.seeded
    assert report.count("customer") == CUSTOMERS
    for table in ("customer", "order", "member", "point_entry", "subscriber", "thread", "message"):
        stored = await db.fetchval(f'SELECT count(*) FROM "{table}" WHERE shop_id = $1', SHOP)
        assert stored == report.count(table) > 0, table
    assert report.count("thread") >= CUSTOMERS


async def test_same_seed_gives_the_same_shop(
    report: SeedReport, database_url: str, db: asyncpg.Connection
) -> None:
    await seed_shop(database_url, customers=CUSTOMERS, seed=SEED, shop_id=TWIN, progress=False)
    assert await _people(db, TWIN) == await _people(db, SHOP)


async def test_seeding_again_adds_nothing(
    report: SeedReport, database_url: str, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM customer WHERE shop_id = $1", SHOP)
    again = await seed_shop(database_url, customers=50, seed=1, shop_id=SHOP, progress=False)
    assert not again.seeded
    assert again.rows == {}
    assert await db.fetchval("SELECT count(*) FROM customer WHERE shop_id = $1", SHOP) == before
    assert await db.fetchval("SELECT count(*) FROM page WHERE shop_id = $1", SHOP) == 6


@pytest.mark.spec("G2", "L4")
async def test_customer_aggregates_equal_their_orders(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    wrong = await db.fetchval(
        """
        SELECT count(*) FROM customer c
        LEFT JOIN LATERAL (
            SELECT count(*) AS n, coalesce(sum(total_amount), 0) AS spent, max(placed_at) AS last,
                   coalesce(array_agg(DISTINCT channel ORDER BY channel)
                            FILTER (WHERE channel IS NOT NULL), '{}') AS channels
            FROM "order" o WHERE o.shop_id = c.shop_id AND o.customer_id = c.id
        ) o ON true
        WHERE c.shop_id = $1 AND (
            c.orders_count <> o.n OR c.total_spent <> o.spent
            OR c.last_order_at IS DISTINCT FROM o.last
            OR ARRAY(SELECT unnest(c.channels) ORDER BY 1) <> o.channels)
        """,
        SHOP,
    )
    assert wrong == 0
    unbalanced = await db.fetchval(
        """
        SELECT count(*) FROM "order" o
        WHERE o.shop_id = $1 AND o.total_amount <> (
            SELECT sum(amount) FROM order_line l WHERE l.shop_id = o.shop_id AND l.order_id = o.id)
        """,
        SHOP,
    )
    assert unbalanced == 0
    share = await db.fetchval(
        "SELECT avg((orders_count > 0)::int) FROM customer WHERE shop_id = $1", SHOP
    )
    assert 0.6 < share < 0.8
    channels = await db.fetchval(
        'SELECT count(DISTINCT channel) FROM "order" WHERE shop_id = $1', SHOP
    )
    assert channels == 8


@pytest.mark.spec("L4")
async def test_member_points_equal_the_ledger(report: SeedReport, db: asyncpg.Connection) -> None:
    wrong = await db.fetchval(
        """
        SELECT count(*) FROM member m
        LEFT JOIN LATERAL (
            SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn'), 0) AS earned,
                   coalesce(sum(points) FILTER (WHERE kind = 'spend'), 0) AS spent,
                   coalesce(sum(points) FILTER (WHERE kind = 'expire'), 0) AS expired,
                   max(available_at) FILTER (WHERE kind = 'earn') AS pending_until
            FROM point_entry p WHERE p.shop_id = m.shop_id AND p.member_id = m.id
        ) p ON true
        WHERE m.shop_id = $1
          AND (m.points_balance <> p.earned - p.spent - p.expired OR m.points_used <> p.spent
               OR m.points_pending_until IS DISTINCT FROM p.pending_until)
        """,
        SHOP,
    )
    assert wrong == 0
    delays = await db.fetch(
        """
        SELECT DISTINCT kind, available_at - occurred_at AS delay
        FROM point_entry WHERE shop_id = $1 ORDER BY kind
        """,
        SHOP,
    )
    assert {(row["kind"], row["delay"].total_seconds()) for row in delays} == {
        ("earn", 24 * 3600.0),
        ("expire", 0.0),
        ("spend", 0.0),
    }
    pending = await db.fetchval(
        "SELECT count(*) FROM point_entry WHERE shop_id = $1 AND available_at > now()", SHOP
    )
    assert pending > 0
    members = await db.fetchval(
        "SELECT count(*)::float / $2 FROM member WHERE shop_id = $1", SHOP, CUSTOMERS
    )
    assert 0.3 < members < 0.5


@pytest.mark.spec("T2")
async def test_every_page_has_exactly_the_default_folders_and_tags(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    expected = sorted((folder, tag) for folder, tags in DEFAULT_PAGE_TAGS for tag in tags)
    pages = await db.fetch("SELECT id FROM page WHERE shop_id = $1", SHOP)
    assert len(pages) == 6
    for page in pages:
        rows = await db.fetch(
            """
            SELECT f.name AS folder, t.name AS tag FROM tag t
            JOIN tag_folder f ON f.shop_id = t.shop_id AND f.id = t.folder_id
            WHERE t.shop_id = $1 AND t.page_id = $2 ORDER BY 1, 2
            """,
            SHOP,
            page["id"],
        )
        assert [(row["folder"], row["tag"]) for row in rows] == expected
        folders = await db.fetchval(
            "SELECT count(*) FROM tag_folder WHERE shop_id = $1 AND page_id = $2", SHOP, page["id"]
        )
        assert folders == 3


@pytest.mark.spec("X1", "C2")
async def test_subscribers_are_linked_only_on_an_unambiguous_phone(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    phones = """
        SELECT phone_normalized FROM customer WHERE shop_id = $1 AND phone_normalized IS NOT NULL
        GROUP BY 1 HAVING count(*) {} 1
    """
    ambiguous = await db.fetch(phones.format(">"), SHOP)
    assert ambiguous, "the demo needs customers sharing a number"
    linked_on_ambiguous = await db.fetchval(
        f"""
        SELECT count(*) FROM subscriber
        WHERE shop_id = $1 AND customer_id IS NOT NULL
          AND phone_normalized IN ({phones.format(">")})
        """,
        SHOP,
    )
    assert linked_on_ambiguous == 0
    mismatched = await db.fetchval(
        """
        SELECT count(*) FROM subscriber s JOIN customer c ON c.shop_id = s.shop_id AND c.id = s.customer_id
        WHERE s.shop_id = $1 AND (s.phone_normalized IS DISTINCT FROM c.phone_normalized
                                  AND s.phone_normalized IS NOT NULL
                                  OR s.email_normalized IS DISTINCT FROM c.email_normalized
                                  AND s.email_normalized IS NOT NULL)
        """,
        SHOP,
    )
    assert mismatched == 0
    unlinked_on_unique = await db.fetchval(
        f"""
        SELECT count(*) FROM subscriber
        WHERE shop_id = $1 AND customer_id IS NULL AND phone_normalized IN ({phones.format("=")})
        """,
        SHOP,
    )
    assert unlinked_on_unique == 0
    on_several_pages = await db.fetchval(
        """
        SELECT count(*) FROM (
            SELECT customer_id FROM thread WHERE shop_id = $1 AND customer_id IS NOT NULL
            GROUP BY 1 HAVING count(DISTINCT page_id) > 1) x
        """,
        SHOP,
    )
    assert on_several_pages > 50


@pytest.mark.spec("X2", "S8", "G2")
async def test_contacts_are_normalised_and_folded(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    rows = await db.fetch(
        "SELECT phone, phone_normalized, carrier, email, email_normalized, full_name,"
        " full_name_folded, address, address_folded FROM customer WHERE shop_id = $1",
        SHOP,
    )
    for row in rows:
        assert row["phone_normalized"] == normalize_phone(row["phone"])
        if row["email"] is not None:
            assert row["email_normalized"] == row["email"].strip().lower()
        assert row["full_name_folded"] == fold(row["full_name"])
        assert row["address_folded"] == (fold(row["address"]) if row["address"] else None)
    for row in rows[:300]:
        assert row["carrier"] == carrier_of(row["phone_normalized"])
    phones = [row["phone"] for row in rows if row["phone"]]
    assert any(p.startswith("+84 ") for p in phones)
    assert any(p.startswith("84") for p in phones)
    assert any("." in p for p in phones)
    assert any(len(p.replace(" ", "")) == 11 and p.startswith("01") for p in phones)
    assert any(row["email"] and row["email"] != row["email"].lower() for row in rows)
    assert any(row["address"] == "182 Lê Đại Hành" for row in rows)
    assert sum(" Văn " in row["full_name"] for row in rows) > 100
    carriers = {row["carrier"] for row in rows}
    assert {"viettel", "vinaphone", "mobifone", "vietnamobile"} <= carriers
    subscribers = await db.fetch(
        "SELECT phone, phone_normalized, full_name, full_name_folded FROM subscriber"
        " WHERE shop_id = $1",
        SHOP,
    )
    for row in subscribers:
        assert row["phone_normalized"] == normalize_phone(row["phone"])
        assert row["full_name_folded"] == fold(row["full_name"])


@pytest.mark.spec("C3", "C4", "C8")
async def test_threads_agree_with_their_messages_and_subscribers(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    wrong = await db.fetchval(
        """
        SELECT count(*) FROM thread t
        JOIN subscriber s ON s.shop_id = t.shop_id AND s.id = t.subscriber_id
        JOIN page p ON p.shop_id = t.shop_id AND p.id = t.page_id
        WHERE t.shop_id = $1 AND (
            t.last_message_at <> (SELECT max(sent_at) FROM message m
                                  WHERE m.shop_id = t.shop_id AND m.thread_id = t.id)
            OR t.customer_id IS DISTINCT FROM s.customer_id
            OR t.page_id <> s.page_id OR t.channel <> p.channel)
        """,
        SHOP,
    )
    assert wrong == 0
    shopee_rich = await db.fetchval(
        """
        SELECT count(*) FROM message m JOIN thread t ON t.shop_id = m.shop_id AND t.id = m.thread_id
        WHERE m.shop_id = $1 AND t.channel = 'shopee' AND m.type NOT IN ('text', 'image', 'emoji')
        """,
        SHOP,
    )
    assert shopee_rich == 0


async def test_identities_continue_after_the_seeded_ids(
    report: SeedReport, db: asyncpg.Connection
) -> None:
    transaction = db.transaction()
    await transaction.start()
    try:
        new_id = await db.fetchval(
            "INSERT INTO customer (shop_id, full_name) VALUES ($1, 'Khách Mới') RETURNING id", SHOP
        )
        highest = await db.fetchval("SELECT max(id) FROM customer WHERE shop_id = $1", SHOP)
        assert new_id == highest
    finally:
        await transaction.rollback()


async def _schema(conn: asyncpg.Connection) -> set[tuple[str, ...]]:
    indexes = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    )
    keys = await conn.fetch(
        "SELECT conname, pg_get_constraintdef(oid), convalidated::text FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace"
    )
    return {tuple(row) for row in indexes} | {tuple(row) for row in keys}


async def _seed_demo(url: str, *, shop_id: int, bulk: bool) -> SeedReport:
    """Two chunks (one full, one short), loaded in two processes or in this one."""
    return await _seed_shop(
        url,
        customers=10_300,
        seed=3,
        shop_id=shop_id,
        shop_name="Demo",
        progress=False,
        pages=3,
        threads_per_customer=1.5,
        bulk=bulk,
        workers=2,
    )


async def test_bulk_load_restores_the_schema_and_matches_the_plain_load(server_url: str) -> None:
    name = f"customer_hub_seed_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    try:
        await asyncio.to_thread(migrate, url)
        conn = await _connect(url)
        try:
            before = await _schema(conn)
            bulk = await _seed_demo(url, shop_id=1, bulk=True)
            plain = await _seed_demo(url, shop_id=2, bulk=False)
            assert await _schema(conn) == before
            assert bulk.rows == plain.rows
            assert bulk.count("thread") >= 1.5 * 10_300
            relative = """
                SELECT m.id - min(m.id) OVER (), t.id - min(t.id) OVER (), m.body, m.sent_at
                FROM message m JOIN thread t ON t.shop_id = m.shop_id AND t.id = m.thread_id
                WHERE m.shop_id = $1 ORDER BY m.id
            """
            bulk_messages = [tuple(r)[:3] for r in await conn.fetch(relative, 1)]
            plain_messages = [tuple(r)[:3] for r in await conn.fetch(relative, 2)]
            assert bulk_messages == plain_messages
        finally:
            await conn.close()
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
