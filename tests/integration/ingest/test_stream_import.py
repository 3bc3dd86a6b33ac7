"""`customer-hub import customers`: COPY-staged, one upsert, per-line errors, idempotent (L1, X5).

The import commits through its own connection, so these tests load into a scratch database of
their own (migrated like the main one), dropped at the end.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import pytest_asyncio
from sqlalchemy import insert, select

from cli import migrate
from domain.ingest_commerce import CustomerItem
from infra import tables as t
from infra.database import create_engine, session_factory, with_database
from infra.ingest.customers import upsert_customers
from infra.ingest.stream import import_customers
from infra.repositories.auth import ensure_shop
from infra.repositories.customer_merge import merge_customers
from infra.settings import PROJECT_ROOT
from tests.conftest import _admin

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SHOP = 41


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scratch(server_url: str) -> AsyncIterator[str]:
    name = f"customer_hub_import_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        url = with_database(server_url, name)
        await asyncio.to_thread(migrate, url)
        yield url
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def fresh_shop(url: str) -> int:
    """A shop of its own for each test, with a page for subscribers."""
    shop_id = SHOP + len(_shops)
    _shops.append(shop_id)
    engine = create_engine(url, pool_size=1)
    async with session_factory(engine)() as session:
        await ensure_shop(session, shop_id=shop_id, name=f"Nhập {shop_id}")
        await session.execute(
            insert(t.page).values(
                shop_id=shop_id, channel="facebook", external_id="p", name="Trang"
            )
        )
        await session.commit()
    await engine.dispose()
    return shop_id


_shops: list[int] = []


async def rows(url: str, query: Any) -> list[Any]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return list(await connection.execute(query))
    finally:
        await engine.dispose()


async def stored_customers(url: str, shop_id: int, *columns: Any) -> dict[str, Any]:
    """The shop's customers by external id, each row with ``columns``."""
    c = t.customer
    query = select(c.c.external_id, *columns).where(c.c.shop_id == shop_id)
    return {r.external_id: r for r in await rows(url, query)}


def write_ndjson(path: Path, lines: list[Any]) -> Path:
    with path.open("wb") as out:
        for line in lines:
            out.write(line if isinstance(line, bytes) else orjson.dumps(line))
            out.write(b"\n")
    return path


def errors_of(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="") as handle:
        return [(r["line"], r["field"], r["code"]) for r in csv.DictReader(handle)]


async def subscriber(url: str, shop_id: int, phone: str) -> int:
    engine = create_engine(url, pool_size=1)
    async with session_factory(engine)() as session:
        page = await session.scalar(select(t.page.c.id).where(t.page.c.shop_id == shop_id))
        new_id = await session.scalar(
            insert(t.subscriber)
            .values(
                shop_id=shop_id,
                page_id=page,
                platform_user_id=f"psid-{phone}",
                phone=phone,
                phone_normalized=phone,
            )
            .returning(t.subscriber.c.id)
        )
        await session.commit()
    await engine.dispose()
    return int(new_id or 0)


@pytest.mark.spec("L1", "X5", "X1")
async def test_ndjson_loads_reports_bad_lines_links_unambiguously_and_reruns_to_nothing(
    scratch: str, tmp_path: Path
) -> None:
    shop_id = await fresh_shop(scratch)
    engine = create_engine(scratch, pool_size=1)
    async with session_factory(engine)() as session:
        await upsert_customers(
            session,
            shop_id,
            [
                CustomerItem(external_id="k-1", full_name="Tên Cũ", address="12 Lê Lợi"),
                CustomerItem(external_id="other", phone="0987 000 222"),
            ],
            NOW,
        )
        await session.commit()
    await engine.dispose()
    single = await subscriber(scratch, shop_id, "0912345678")
    ambiguous = await subscriber(scratch, shop_id, "0987000222")

    path = write_ndjson(
        tmp_path / "customers.ndjson",
        [
            {"externalId": "k-1", "fullName": "Nguyễn Thị Lan", "phone": "+84 912 345 678"},
            {"externalId": "k-2", "lastName": "Trần", "firstName": "Minh", "gender": "MALE"},
            {"externalId": "k-3", "phone": "12345"},
            b"{not json",
            {"externalId": "k-4", "favourite": "blue"},
            {"externalId": "k-5", "birthday": "1990-13-01"},
            {"externalId": "k-2", "fullName": "Trùng"},
            b"",
            {"externalId": 6, "phone": "0987.000.222", "birthday": "1995-02-03"},
            {"externalId": "k-7", "createdAt": "2026-01-01T00:00:00"},
        ],
    )
    report = await import_customers(scratch, path, shop_id, progress=False, now=NOW)

    assert (report.lines, report.loaded, report.created, report.updated) == (9, 3, 2, 1)
    assert report.errors == 6
    # Lines in the order they were read; repeated external ids are found once all are staged.
    assert errors_of(report.report_path) == [
        ("3", "phone", "INVALID"),
        ("4", "", "INVALID"),
        ("5", "favourite", "UNKNOWN_FIELD"),
        ("6", "birthday", "INVALID"),
        ("10", "createdAt", "INVALID"),
        ("7", "externalId", "DUPLICATE"),
    ]
    c = t.customer
    stored = await stored_customers(
        scratch,
        shop_id,
        c.c.full_name,
        c.c.address,
        c.c.phone_normalized,
        c.c.carrier,
        c.c.gender,
        c.c.updated_at,
    )
    assert set(stored) == {"k-1", "k-2", "6", "other"}
    assert stored["k-1"].full_name == "Nguyễn Thị Lan"
    assert stored["k-1"].address == "12 Lê Lợi"  # absent from the line: kept
    assert (stored["k-1"].phone_normalized, stored["k-1"].carrier) == ("0912345678", "vinaphone")
    assert (stored["k-2"].full_name, stored["k-2"].gender) == ("Trần Minh", "male")

    links = {
        r.id: r.customer_id
        for r in await rows(
            scratch,
            select(t.subscriber.c.id, t.subscriber.c.customer_id).where(
                t.subscriber.c.shop_id == shop_id
            ),
        )
    }
    assert links[single] is not None
    assert links[ambiguous] is None  # two customers share 0987000222: reported, not guessed
    assert (report.linked_subscribers, report.ambiguous_links) == (1, 1)

    again = await import_customers(
        scratch, path, shop_id, progress=False, now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    after = await stored_customers(scratch, shop_id, c.c.updated_at)
    assert {key: row.updated_at for key, row in after.items()} == {
        key: row.updated_at for key, row in stored.items()
    }


@pytest.mark.spec("L1", "X1")
async def test_lines_of_a_merged_customer_update_the_survivor(scratch: str, tmp_path: Path) -> None:
    shop_id = await fresh_shop(scratch)
    engine = create_engine(scratch, pool_size=1)
    async with session_factory(engine)() as session:
        outcome = await upsert_customers(
            session,
            shop_id,
            [CustomerItem(external_id=key, full_name="Lan") for key in ("s", "m-1", "m-2")],
            NOW,
        )
        ids = {r.external_id: r.id for r in outcome.results}
        await merge_customers(session, shop_id, ids["s"], [ids["m-1"], ids["m-2"]], NOW)
        await session.commit()
    await engine.dispose()

    path = write_ndjson(
        tmp_path / "merged.ndjson",
        [
            {"externalId": "m-1", "address": "182 Lê Đại Hành"},
            {"externalId": "s", "fullName": "Trần Thị Lan"},
            {"externalId": "m-2", "province": "Hà Nội"},
            {"externalId": "n", "fullName": "Mới"},
        ],
    )
    report = await import_customers(scratch, path, shop_id, progress=False, now=NOW)

    assert (report.loaded, report.created, report.updated) == (2, 1, 1)
    assert [(e.line, e.code.value, e.message) for e in report.first_errors] == [
        (
            2,
            "DUPLICATE",
            "Line 1 already updates the customer with external id 's' ('m-1' was merged into"
            " it); the first wins.",
        ),
        (
            3,
            "DUPLICATE",
            "Line 1 already updates the customer with external id 's' ('m-2' was merged into"
            " it); the first wins.",
        ),
    ]
    c = t.customer
    stored = await stored_customers(scratch, shop_id, c.c.id, c.c.full_name, c.c.address)
    assert set(stored) == {"s", "n"}
    assert (stored["s"].id, stored["s"].full_name, stored["s"].address) == (
        ids["s"],
        "Lan",
        "182 Lê Đại Hành",
    )


@pytest.mark.spec("L1", "X5")
async def test_nul_characters_and_bytes_that_are_not_utf8_fail_their_line_alone(
    scratch: str, tmp_path: Path
) -> None:
    """A NUL in a JSON line's text stopped the whole load in PostgreSQL's COPY, and a byte that
    is not UTF-8 in a CSV file stopped it while decoding, each with a traceback."""
    shop_id = await fresh_shop(scratch)
    ndjson = write_ndjson(
        tmp_path / "nul.ndjson",
        [
            {"externalId": "j-1", "fullName": "Bùi Thị Mai"},
            {"externalId": "j-2", "fullName": "Bùi\x00Mai"},
            {"externalId": "j-3", "address": "\x00"},
        ],
    )
    csv_path = tmp_path / "mixed.csv"
    csv_path.write_bytes(
        "\ufeffexternalId,fullName\n".encode()
        + "v-1,Đỗ Văn Nam\n".encode()
        + b'v-2,"A\x00B"\n'
        + b"v-3,\xff\xfe Latin-1?\n"
        + "v-4,Hồ Thị Lan\n".encode()
    )

    from_json = await import_customers(scratch, ndjson, shop_id, progress=False, now=NOW)
    from_csv = await import_customers(scratch, csv_path, shop_id, progress=False, now=NOW)

    assert (from_json.loaded, from_json.errors) == (1, 2)
    assert errors_of(from_json.report_path) == [
        ("2", "fullName", "INVALID"),
        ("3", "address", "INVALID"),
    ]
    assert (from_csv.loaded, from_csv.errors) == (2, 2)
    assert errors_of(from_csv.report_path) == [("3", "fullName", "INVALID"), ("4", "", "INVALID")]
    stored = await stored_customers(scratch, shop_id, t.customer.c.full_name)
    assert {key: row.full_name for key, row in stored.items()} == {
        "j-1": "Bùi Thị Mai",
        "v-1": "Đỗ Văn Nam",
        "v-4": "Hồ Thị Lan",
    }


@pytest.mark.spec("L1", "X5")
async def test_the_cli_loads_a_csv_and_exits_2_when_lines_failed(
    scratch: str, tmp_path: Path
) -> None:
    shop_id = await fresh_shop(scratch)
    path = tmp_path / "khach.csv"
    path.write_text(
        "externalId,fullName,phone,email,gender,birthday\n"
        'c-1,"Lê Văn Hùng, Jr.",0903 111 222,Hung@Gmail.com,male,1988-04-05\n'
        "c-2,Phạm Thu Hà,,,female,\n"
        "c-3,Sai Số,0903,,,\n",
        encoding="utf-8",
    )
    report = tmp_path / "errors.csv"
    env = {**os.environ, "DATABASE_URL": scratch, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "cli",
            "import",
            "customers",
            str(path),
            "--shop-id",
            str(shop_id),
            "--report",
            str(report),
            "--no-progress",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "2 created" in done.stderr
    assert errors_of(report) == [("4", "phone", "INVALID")]
    c = t.customer
    stored = await stored_customers(
        scratch, shop_id, c.c.full_name, c.c.email_normalized, c.c.birthday
    )
    assert stored["c-1"].full_name == "Lê Văn Hùng, Jr."
    assert stored["c-1"].email_normalized == "hung@gmail.com"
    assert str(stored["c-1"].birthday) == "1988-04-05"
    assert stored["c-2"].email_normalized is None

    missing_shop = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "cli",
            "import",
            "customers",
            str(path),
            "--shop-id",
            "999999",
            "--no-progress",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert missing_shop.returncode == 1
    assert "no shop 999999" in missing_shop.stderr
    assert "Traceback" not in missing_shop.stderr
