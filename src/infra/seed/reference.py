"""The small tables of the demo shop: staff, stores, products, tiers, pages, tags, fields, sequences.

Every row is upserted on its natural key, so running this again after an interrupted seed reuses
what is there instead of failing on a unique constraint.
"""

from __future__ import annotations

import random

import asyncpg

from domain.text import fold
from infra.seed import vietnam
from infra.seed.catalog import Catalog
from infra.tables import ROLES


async def ensure_shop(conn: asyncpg.Connection, shop_id: int, name: str) -> int:
    """Create the shop when missing; return its points delay in hours."""
    await conn.execute(
        "INSERT INTO shop (shop_id, name) VALUES ($1, $2) ON CONFLICT (shop_id) DO NOTHING",
        shop_id,
        name,
    )
    delay: int = await conn.fetchval(
        "SELECT points_delay_hours FROM shop WHERE shop_id = $1", shop_id
    )
    return delay


async def _upsert(conn: asyncpg.Connection, sql: str, *args: object) -> int:
    value: int = await conn.fetchval(sql, *args)
    return value


async def _staff(conn: asyncpg.Connection, shop: int) -> tuple[int, ...]:
    ids = []
    # The owner comes with the shop's account (auth); the demo adds one person per other role.
    for role, name in zip([r for r in ROLES if r != "owner"], vietnam.STAFF_NAMES, strict=False):
        email = f"{fold(name).split()[-1]}.{role.replace('_', '')}@demo.vn"
        existing = await conn.fetchval(
            "SELECT id FROM staff WHERE shop_id = $1 AND email = $2", shop, email
        )
        if existing is None:
            existing = await conn.fetchval(
                "INSERT INTO staff (shop_id, name, email, role) VALUES ($1, $2, $3, $4) RETURNING id",
                shop,
                name,
                email,
                role,
            )
        ids.append(existing)
    return tuple(ids)


async def _commerce(
    conn: asyncpg.Connection, shop: int, rng: random.Random
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    stores = []
    for code, name, province in vietnam.STORES:
        stores.append(await _upsert(
            conn,
            "INSERT INTO store (shop_id, code, name, province) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (shop_id, code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            shop, code, name, province,
        ))  # fmt: skip
    products, prices = [], []
    for number, (stem, name, price) in enumerate(vietnam.PRODUCTS, start=1):
        for colour_code, colour in vietnam.COLOURS:
            amount = int(round(price * (0.9 + 0.2 * rng.random()), -3))
            products.append(await _upsert(
                conn,
                "INSERT INTO product (shop_id, sku, name, price) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (shop_id, sku) DO UPDATE SET price = EXCLUDED.price RETURNING id",
                shop, f"{stem}{number:03d}-{colour_code}", f"{name} - {colour}", amount,
            ))  # fmt: skip
            prices.append(amount)
    for code, name, rank in vietnam.TIERS:
        await conn.execute(
            "INSERT INTO loyalty_tier (shop_id, code, name, rank) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (shop_id, code) DO NOTHING",
            shop,
            code,
            name,
            rank,
        )
    return tuple(stores), tuple(products), tuple(prices)


async def _folder_with_tags(
    conn: asyncpg.Connection,
    shop: int,
    page: int | None,
    position: int,
    name: str,
    tags: tuple[str, ...],
) -> list[int]:
    folder = await _upsert(
        conn,
        "INSERT INTO tag_folder (shop_id, page_id, name, position) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (shop_id, page_id, name) DO UPDATE SET position = EXCLUDED.position"
        " RETURNING id",
        shop, page, name, position,
    )  # fmt: skip
    ids = []
    for k, tag in enumerate(tags):
        ids.append(await _upsert(
            conn,
            "INSERT INTO tag (shop_id, page_id, folder_id, name, color) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (shop_id, page_id, name) DO UPDATE SET folder_id = EXCLUDED.folder_id"
            " RETURNING id",
            shop, page, folder, tag, vietnam.TAG_COLOURS[(position * 3 + k) % len(vietnam.TAG_COLOURS)],
        ))  # fmt: skip
    return ids


async def _pages(
    conn: asyncpg.Connection, shop: int, count: int
) -> tuple[tuple[int, ...], tuple[str, ...], tuple[tuple[int, ...], ...]]:
    ids, channels, tags = [], [], []
    for k in range(count):
        channel, name = vietnam.PAGES[k % len(vietnam.PAGES)]
        if k >= len(vietnam.PAGES):
            name = f"{name} - Chi nhánh {k // len(vietnam.PAGES) + 1}"
        external = str(104_857_600_000_000 + shop * 1_000 + k)
        page = await _upsert(
            conn,
            "INSERT INTO page (shop_id, channel, external_id, name, avatar_url)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, channel, external_id)"
            " DO UPDATE SET name = EXCLUDED.name RETURNING id",
            shop, channel, external, name, f"https://cdn.demo.vn/pages/{external}.png",
        )  # fmt: skip
        page_tags: list[int] = []
        for position, (folder, names) in enumerate(vietnam.DEFAULT_PAGE_TAGS):
            page_tags += await _folder_with_tags(conn, shop, page, position, folder, names)
        ids.append(page)
        channels.append(channel)
        tags.append(tuple(page_tags))
    return tuple(ids), tuple(channels), tuple(tags)


async def _automation(
    conn: asyncpg.Connection, shop: int, out_of_stock_tag: int
) -> tuple[tuple[int, ...], int]:
    sequences = []
    for name, texts in vietnam.SEQUENCES:
        sequence = await _upsert(
            conn,
            "INSERT INTO sequence (shop_id, name) VALUES ($1, $2)"
            " ON CONFLICT (shop_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            shop,
            name,
        )
        for position, (delay, text) in enumerate(zip(vietnam.SEQUENCE_DELAYS, texts, strict=True)):
            await conn.execute(
                "INSERT INTO sequence_step (shop_id, sequence_id, position, delay_minutes, message)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                shop, sequence, position, delay, text,
            )  # fmt: skip
        sequences.append(sequence)
    rule = await _upsert(
        conn,
        "INSERT INTO automation_rule (shop_id, tag_id, sequence_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (shop_id, tag_id, sequence_id) DO UPDATE SET enabled = true RETURNING id",
        shop,
        out_of_stock_tag,
        sequences[0],
    )
    return tuple(sequences), rule


async def create_reference(
    conn: asyncpg.Connection,
    *,
    shop_id: int,
    seed: int,
    now: int,
    points_delay_hours: int,
    customers: int,
    pages: int,
    threads_per_customer: float,
) -> Catalog:
    rng = random.Random(f"reference:{seed}")
    async with conn.transaction():
        staff = await _staff(conn, shop_id)
        stores, products, prices = await _commerce(conn, shop_id, rng)
        page_ids, channels, page_tags = await _pages(conn, shop_id, pages)
        shop_tags = await _folder_with_tags(
            conn, shop_id, None, 0, vietnam.SHOP_TAG_FOLDER, vietnam.SHOP_TAGS
        )
        fields = []
        for key, label, kind in vietnam.CUSTOM_FIELDS:
            fields.append((key, await _upsert(
                conn,
                "INSERT INTO custom_field (shop_id, key, label, type) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (shop_id, key) DO UPDATE SET label = EXCLUDED.label RETURNING id",
                shop_id, key, label, kind,
            )))  # fmt: skip
        out_of_stock = vietnam.DEFAULT_PAGE_TAGS[0][1].index("Hết hàng")
        first_page_tag = page_tags[0][out_of_stock] if page_tags else shop_tags[0]
        sequences, rule = await _automation(conn, shop_id, first_page_tag)
    return Catalog(
        shop_id=shop_id,
        seed=seed,
        now=now,
        points_delay_hours=points_delay_hours,
        customers=customers,
        threads_per_customer=threads_per_customer,
        store_ids=stores,
        product_ids=products,
        product_prices=tuple(prices),
        staff_ids=staff,
        page_ids=page_ids,
        page_channels=channels,
        page_tag_ids=page_tags,
        shop_tag_ids=tuple(shop_tags),
        field_ids=tuple(fields),
        sequence_ids=sequences,
        rule_id=rule,
    )
