"""Every table and key starts with shop_id, so the schema can be distributed by shop."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CONSTRAINTS = text(
    """
    SELECT c.conrelid::regclass::text AS tbl, c.conname, c.contype::text AS contype,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]) AS first_col,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = c.confrelid AND a.attnum = c.confkey[1]) AS first_ref_col
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')
       AND c.conrelid::regclass::text <> 'alembic_version'
    """
)
UNIQUE_INDEXES = text(
    """
    SELECT i.indrelid::regclass::text AS tbl, i.indexrelid::regclass::text AS name,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) AS first_col
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND i.indisunique AND c.relname <> 'alembic_version'
    """
)
TABLES = text(
    """
    SELECT c.relname,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                    AND a.attname = 'shop_id' AND NOT a.attisdropped AND a.attnotnull) AS has_shop
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'alembic_version'
    """
)


async def test_every_table_has_a_not_null_shop_id(session: AsyncSession) -> None:
    rows = (await session.execute(TABLES)).all()
    assert len(rows) >= 30
    assert [r.relname for r in rows if not r.has_shop] == []


async def test_every_key_and_foreign_key_starts_with_shop_id(session: AsyncSession) -> None:
    rows = (await session.execute(CONSTRAINTS)).all()
    assert any(r.contype == "f" for r in rows)
    offenders = [
        f"{r.tbl}.{r.conname}"
        for r in rows
        if r.first_col != "shop_id" or (r.contype == "f" and r.first_ref_col != "shop_id")
    ]
    assert offenders == []


async def test_every_unique_index_starts_with_shop_id(session: AsyncSession) -> None:
    rows = (await session.execute(UNIQUE_INDEXES)).all()
    assert [f"{r.tbl}.{r.name}" for r in rows if r.first_col != "shop_id"] == []


SET_NULL_WITHOUT_COLUMNS = text(
    """
    SELECT c.conrelid::regclass::text || '.' || c.conname AS name
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.contype = 'f' AND c.confdeltype = 'n'
       AND c.confdelsetcols IS NULL
    """
)


async def test_set_null_keys_null_only_the_reference(session: AsyncSession) -> None:
    """A plain SET NULL on (shop_id, x) would null shop_id too and make deletes fail."""
    assert (await session.execute(SET_NULL_WITHOUT_COLUMNS)).scalars().all() == []


async def test_deleting_a_referenced_customer_unlinks_the_subscriber(session: AsyncSession) -> None:
    from sqlalchemy import delete, select

    from infra import tables as t
    from tests.conftest import SHOP_ID
    from tests.factories import make_customer, make_page, make_subscriber

    await session.execute(t.shop.insert().values(shop_id=SHOP_ID, name="Shop"))
    customer = await make_customer(session)
    subscriber = await make_subscriber(
        session, page_id=await make_page(session), customer_id=customer
    )

    await session.execute(delete(t.customer).where(t.customer.c.id == customer))

    row = (
        await session.execute(
            select(t.subscriber.c.shop_id, t.subscriber.c.customer_id).where(
                t.subscriber.c.id == subscriber
            )
        )
    ).one()
    assert tuple(row) == (SHOP_ID, None)
