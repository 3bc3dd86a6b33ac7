"""Large customer loads from a file: validated while streamed into COPY, then one upsert.

Each line is parsed and validated in Python (phones normalised with ``domain.phone`` and their
carrier looked up) while the rows stream into a temporary staging table through ``COPY``; lines
that fail go to the error report with their line number and field. Then, in the same
transaction, set-based statements drop repeated external ids (the first line wins, later ones
are reported), upsert every staged row keyed by external id (a re-run changes nothing),
link subscribers that match exactly one customer (X1) and refresh segment membership.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
import structlog
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TIMESTAMP, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from tqdm import tqdm

from domain.customer import OPTIONAL_FIELDS, Gender
from domain.errors import DomainError, ErrorCode
from domain.ingest_commerce import CustomerRecord, validate_customer
from domain.ingest_file import ImportReport, LineError, customer_item
from domain.phone import carrier_of
from infra import tables as t
from infra.database import create_engine
from infra.ingest import external_ids
from infra.ingest.customers import merged_twice, updated
from infra.ingest.linking import link_subscribers
from infra.segment_events import reevaluate_segments

log = structlog.get_logger()

staging = Table(
    "customer_import",
    MetaData(),
    Column("line", Integer),
    Column("external_id", Text),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("full_name", Text),
    Column("gender", Text),
    Column("birthday", Date),
    Column("email", Text),
    Column("email_normalized", Text),
    Column("phone", Text),
    Column("phone_normalized", Text),
    Column("carrier", Text),
    Column("address", Text),
    Column("province", Text),
    Column("district", Text),
    Column("ward", Text),
    Column("created_at", TIMESTAMP(timezone=True)),
)
COLUMNS = [c.name for c in staging.columns]
FIRST_ERRORS = 20
PROGRESS_EVERY = 5000


class CarrierMemo:
    """``carrier_of`` remembered per (first five digits, length): phonenumbers decides a
    Vietnamese number's type and carrier from its leading digits (checked for every five-digit
    prefix in tests/unit/test_import_lines.py). Numbers starting "00" parse as international
    ones and are looked up one by one."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], str | None] = {}

    def __call__(self, normalized: str | None) -> str | None:
        if not normalized:
            return None
        if normalized.startswith("00"):
            return carrier_of(normalized)
        key = (normalized[:5], len(normalized))
        if key not in self.known:
            self.known[key] = carrier_of(normalized)
        return self.known[key]


def _row(line: int, record: CustomerRecord) -> tuple[Any, ...]:
    item = record.item
    return (
        line,
        item.external_id,
        item.first_name,
        item.last_name,
        record.full_name,
        item.gender.value if item.gender is not None else None,
        item.birthday,
        item.email.strip() if item.email else None,
        record.email_normalized,
        item.phone.strip() if item.phone else None,
        record.phone_normalized,
        record.carrier,
        item.address,
        item.province,
        item.district,
        item.ward,
        item.created_at,
    )


class LineSource:
    """The lines of an NDJSON or CSV file as (line number, fields), counting bytes read."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self.bytes_read = 0

    def _binary_lines(self, handle: IO[bytes]) -> Iterator[bytes]:
        for raw in handle:
            self.bytes_read += len(raw)
            yield raw

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any] | DomainError]]:
        with self.path.open("rb") as handle:
            if self.fmt == "csv":
                yield from self._csv(handle)
            else:
                yield from self._ndjson(handle)

    def _ndjson(self, handle: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | DomainError]]:
        for number, raw in enumerate(self._binary_lines(handle), start=1):
            if not raw.strip():
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                yield number, DomainError(f"Not JSON: {error}.", field=None)
                continue
            if not isinstance(value, dict):
                yield number, DomainError("Each line is one JSON object.", field=None)
                continue
            yield number, value

    def _csv(self, handle: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | DomainError]]:
        # Bytes that are not UTF-8 are kept as lone surrogates, so that only their line fails.
        text_lines = io.TextIOWrapper(
            handle, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        counted = (self._count(line) for line in text_lines)
        reader = csv.reader(counted)
        header = next(reader, None)
        if header is None:
            return
        names = [name.strip() for name in header]
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, DomainError(f"Not CSV: {error}.", field=None)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if _NOT_UTF8.search("".join(row)):
                yield reader.line_num, DomainError(NOT_UTF8_LINE, field=None)
                continue
            if len(row) != len(names):
                yield (
                    reader.line_num,
                    DomainError(
                        f"Expected {len(names)} columns as in the header; got {len(row)}.",
                        field=None,
                    ),
                )
                continue
            yield reader.line_num, dict(zip(names, row, strict=True))

    def _count(self, line: str) -> str:
        self.bytes_read += len(line.encode("utf-8", "surrogateescape"))
        return line


_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""What ``surrogateescape`` decodes a byte that is not UTF-8 to."""
NOT_UTF8_LINE = "The line is not UTF-8 text; save the file as UTF-8."


class Staging:
    """Turns the file's lines into staging rows, writing failed lines to the report."""

    def __init__(self, source: LineSource, errors: Any, report: ImportReport, bar: tqdm) -> None:  # type: ignore[type-arg]
        self.source = source
        self.errors = errors
        self.report = report
        self.bar = bar
        self.carrier = CarrierMemo()

    def fail(self, line: int, error: DomainError) -> None:
        self.report.errors += 1
        entry = LineError(line, error.field, error.code, error.message)
        if len(self.report.first_errors) < FIRST_ERRORS:
            self.report.first_errors.append(entry)
        self.errors.writerow([line, error.field or "", error.code.value, error.message])

    def rows(self) -> Iterator[tuple[Any, ...]]:
        reported = 0
        for line, fields in self.source:
            self.report.lines += 1
            if self.report.lines % PROGRESS_EVERY == 0:
                self.bar.update(self.source.bytes_read - reported)
                reported = self.source.bytes_read
            if isinstance(fields, DomainError):
                self.fail(line, fields)
                continue
            try:
                record = validate_customer(customer_item(fields), self.carrier)
            except DomainError as error:
                self.fail(line, error)
                continue
            yield _row(line, record)
        self.bar.update(self.source.bytes_read - reported)


async def _to_survivors(connection: AsyncConnection, shop_id: int) -> dict[int, tuple[str, str]]:
    """Points the lines carrying a merged customer's external id at the customer that absorbed
    it; returns (external id sent, survivor's external id) by line.

    The shop's aliases are read first and joined to the staged lines as an array: one statement
    joining the lines, the aliases and `customer` was planned, in the middle of an import into
    a new shop, as if the shop had one customer, and scanned the million lines once for each of
    its customers."""
    survivor_of = await external_ids.survivors(connection, shop_id, None)
    if not survivor_of:
        return {}
    rows = await connection.execute(
        text(
            "UPDATE customer_import s SET external_id = m.survivor"
            " FROM unnest(CAST(:sent AS text[]), CAST(:survivor AS text[])) AS m(sent, survivor)"
            " WHERE s.external_id = m.sent"
            " RETURNING s.line, m.sent, m.survivor"
        ),
        {"sent": list(survivor_of), "survivor": list(survivor_of.values())},
    )
    return {r.line: (r.sent, r.survivor) for r in rows}


def _repeat(line: int, first: int, merged: dict[int, tuple[str, str]]) -> DomainError:
    """The error of a line whose customer an earlier line already updates."""
    through = merged.get(line) or merged.get(first)
    message = (
        f"External id already on line {first}; the first line wins."
        if through is None
        else merged_twice(f"Line {first}", through[1], through[0])
    )
    return DomainError(message, code=ErrorCode.DUPLICATE, field="externalId")


async def _drop_repeats(connection: AsyncConnection, staging_name: str) -> list[tuple[int, int]]:
    """Deletes later lines of a repeated external id; returns (line, first line) of each."""
    rows = await connection.execute(
        text(
            f"DELETE FROM {staging_name} s USING ("
            "  SELECT line, min(line) OVER (PARTITION BY external_id) AS first_line"
            f"  FROM {staging_name}"
            ") d WHERE s.line = d.line AND d.line <> d.first_line"
            " RETURNING s.line, d.first_line"
        )
    )
    return [(r.line, r.first_line) for r in rows]


async def _upsert(connection: AsyncConnection, shop_id: int, now: datetime) -> tuple[int, int]:
    """One statement for all staged rows; returns (created, updated). Rows whose stored
    values already equal the line's are left alone, so a re-run writes nothing."""
    c, s = t.customer, staging
    # Rows whose values are all stored already are filtered out by one anti-join, before the
    # upsert: ON CONFLICT would lock (and so write) every one of them even when it updates none.
    already_stored = (
        select(literal(1))
        .where(
            c.c.shop_id == shop_id,
            c.c.external_id == s.c.external_id,
            *(
                or_(s.c[name].is_(None), s.c[name].is_not_distinct_from(c.c[name]))
                for name in OPTIONAL_FIELDS
            ),
            or_(s.c.gender.is_(None), s.c.gender == Gender.UNKNOWN.value, s.c.gender == c.c.gender),
        )
        .exists()
    )
    names = ["shop_id", "external_id", "gender", *OPTIONAL_FIELDS, "created_at", "updated_at"]
    source = select(
        literal(shop_id),
        s.c.external_id,
        func.coalesce(s.c.gender, Gender.UNKNOWN.value),
        *(s.c[name] for name in OPTIONAL_FIELDS),
        func.coalesce(s.c.created_at, literal(now)),
        literal(now),
    ).where(~already_stored)
    statement = insert(c).from_select(names, source)
    excluded = statement.excluded
    changed = or_(
        *(
            and_(excluded[name].is_not(None), excluded[name].is_distinct_from(c.c[name]))
            for name in OPTIONAL_FIELDS
        ),
        and_(excluded.gender != Gender.UNKNOWN.value, excluded.gender != c.c.gender),
    )
    upsert = (
        statement.on_conflict_do_update(
            index_elements=[c.c.shop_id, c.c.external_id],
            index_where=c.c.external_id.isnot(None),
            set_=updated(excluded),
            where=changed,
        )
        .returning(literal_column("xmax = 0").label("created"))
        .cte("upserted")
    )
    row = (
        await connection.execute(
            select(
                func.count().filter(upsert.c.created),
                func.count().filter(~upsert.c.created),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


def _format_of(path: Path, fmt: str | None) -> str:
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "ndjson")
    if chosen not in ("csv", "ndjson"):
        raise ValueError(f"unknown format {chosen!r}: use ndjson or csv")
    return chosen


async def import_customers(
    url: str,
    path: str | Path,
    shop_id: int,
    progress: bool = True,
    *,
    fmt: str | None = None,
    report_path: str | Path | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Load the customers of an NDJSON or CSV file into a shop, in one transaction."""
    started = time.monotonic()
    path = Path(path)
    moment = now or datetime.now(UTC)
    errors_path = Path(report_path) if report_path else path.with_name(path.name + ".errors.csv")
    report = ImportReport(path=path, report_path=errors_path)
    source = LineSource(path, _format_of(path, fmt))
    engine = create_engine(url, pool_size=1)
    try:
        with (
            errors_path.open("w", newline="", encoding="utf-8") as errors_file,
            tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc=f"import {path.name}",
                disable=not progress,
            ) as bar,
        ):
            errors = csv.writer(errors_file)
            errors.writerow(["line", "field", "code", "message"])
            load = Staging(source, errors, report, bar)
            async with engine.connect() as connection, connection.begin():
                known = await connection.scalar(
                    select(t.shop.c.shop_id).where(t.shop.c.shop_id == shop_id)
                )
                if known is None:
                    raise LookupError(f"There is no shop {shop_id} in this database.")
                await connection.execute(
                    text(
                        "CREATE TEMPORARY TABLE customer_import ("
                        "line integer, external_id text, first_name text, last_name text, "
                        "full_name text, gender text, birthday date, email text, "
                        "email_normalized text, phone text, phone_normalized text, carrier text, "
                        "address text, province text, district text, ward text, "
                        "created_at timestamptz) ON COMMIT DROP"
                    )
                )
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection
                await driver.copy_records_to_table(
                    "customer_import", records=load.rows(), columns=COLUMNS
                )
                # Temporary tables are never analysed automatically; the anti-join needs sizes.
                await connection.execute(text("ANALYZE customer_import"))
                merged = await _to_survivors(connection, shop_id)
                for line, first in await _drop_repeats(connection, "customer_import"):
                    load.fail(line, _repeat(line, first, merged))
                report.loaded = int(
                    await connection.scalar(select(func.count()).select_from(staging)) or 0
                )
                log.info(
                    "staged",
                    lines=report.lines,
                    loaded=report.loaded,
                    errors=report.errors,
                    seconds=round(time.monotonic() - started, 1),
                )
                report.created, report.updated = await _upsert(connection, shop_id, moment)
                report.unchanged = report.loaded - report.created - report.updated
                log.info(
                    "upserted",
                    created=report.created,
                    updated=report.updated,
                    seconds=round(time.monotonic() - started, 1),
                )
                if report.created or report.updated:
                    await _link_and_refresh(connection, shop_id, moment, report)
    finally:
        await engine.dispose()
    report.seconds = time.monotonic() - started
    return report


async def _link_and_refresh(
    connection: AsyncConnection, shop_id: int, now: datetime, report: ImportReport
) -> None:
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    try:
        linked_before = await _linked(session, shop_id)
        ambiguous = await link_subscribers(session, shop_id)
        report.ambiguous_links = len(ambiguous)
        report.linked_subscribers = await _linked(session, shop_id) - linked_before
        await reevaluate_segments(session, shop_id, now)
        await session.commit()
    finally:
        await session.close()


async def _linked(session: AsyncSession, shop_id: int) -> int:
    s = t.subscriber
    return int(
        await session.scalar(
            select(func.count()).where(s.c.shop_id == shop_id, s.c.customer_id.is_not(None))
        )
        or 0
    )
