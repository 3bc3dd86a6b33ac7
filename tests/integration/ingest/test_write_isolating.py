"""A batch written item by item when its statement fails: the items at fault get their own
error, the others are saved, and a failure that is no item's fails the batch at once (X5)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ErrorCode
from infra import tables as t
from infra.database import timed_out
from infra.ingest.batch import write_isolating
from tests.conftest import SHOP_ID
from tests.factories import make_customer


async def _skus(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(t.product.c.sku).order_by(t.product.c.sku))
    return list(rows.scalars())


@pytest.mark.spec("X5")
async def test_items_at_fault_fail_alone_with_what_refused_them(
    session: AsyncSession, shop: int
) -> None:
    await session.execute(insert(t.product).values(shop_id=SHOP_ID, sku="TAKEN", name="x"))
    customer = await make_customer(session)
    calls = 0

    async def write(items: Sequence[tuple[int, str]]) -> list[int]:
        nonlocal calls
        calls += 1
        for _, sku in items:
            if sku == "GONE-TAG":  # a tag deleted meanwhile
                await session.execute(
                    insert(t.customer_tag).values(
                        shop_id=SHOP_ID, customer_id=customer, tag_id=999_999
                    )
                )
            else:
                await session.execute(
                    insert(t.product).values(shop_id=SHOP_ID, sku=sku, name="x" if sku else None)
                )
        return [index for index, _ in items]

    items = [(0, "A"), (1, "TAKEN"), (2, "GONE-TAG"), (3, ""), (4, "B")]
    written, errors = await write_isolating(session, items, write)

    assert written == [0, 4]
    assert calls == 1 + len(items)  # the batch, then each item
    assert [(e.index, e.field, e.code) for e in errors] == [
        (1, "items.1", ErrorCode.CONFLICT),
        (2, "items.2", ErrorCode.NOT_FOUND),
        (3, "items.3", ErrorCode.INVALID),
    ]
    assert "uq_product_shop_id_sku" in errors[0].message
    assert 'null value in column "name"' in errors[2].message
    assert await _skus(session) == ["A", "B", "TAKEN"]


@pytest.mark.spec("X5")
async def test_a_failure_that_is_no_items_fails_the_batch_once(
    session: AsyncSession, shop: int
) -> None:
    """A statement stopped at the time limit was retried for every item, each stopped again,
    and each reported as a conflict with stored data."""
    calls = 0

    async def write(items: Sequence[tuple[int, str]]) -> list[int]:
        nonlocal calls
        calls += 1
        await session.execute(text("SET LOCAL statement_timeout = 50"))
        await session.execute(text("SELECT pg_sleep(1)"))
        return [index for index, _ in items]

    with pytest.raises(DBAPIError) as raised:
        await write_isolating(session, [(0, "A"), (1, "B"), (2, "C")], write)

    assert timed_out(raised.value)
    assert calls == 1
    assert await session.scalar(select(func.count()).select_from(t.product)) == 0
