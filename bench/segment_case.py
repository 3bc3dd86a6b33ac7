"""Saving a segment, and storing its members, at a million customers (X3, kinds `segment` and
`segment_store`).

`segmentCreate` and `segmentUpdate` save the definition; the job worker then stores a new
segment's first members, or who a new definition lets in and out with one outbox event each.
Each round creates a segment through the service's HTTP GraphQL stack, stores its members as
the worker does (``store_members`` on an engine of its own, without the API's statement
limit), changes its definition to the gold-tier members, stores again, deletes it, and
removes its stored members as the worker does after a delete (``drop_in_batches``): for
everyone (1,000,000 members, then 18,300) and for the customers of Hà Nội (about 215,000).
Afterwards the bench removes the rounds' outbox events and vacuums the two tables, so the
filter cases of the next run read them as before.

Targets: a save answers within a count's 250 ms; storing takes at most the API's statement
limit (`STATEMENT_TIMEOUT_MS`, 30 s by default), which no single piece of work should pass.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from statistics import median
from typing import Any

import orjson
from strawberry.relay import GlobalID

from bench import report
from bench.db import connected
from bench.measure import Endpoint, body_of
from infra.database import committing, create_engine, session_factory
from infra.segment_events import drop_in_batches, store_members

ROUNDS = 3
NAME = "bench segment"
DEFINITIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("everyone", {}),
    ("region_hanoi", {"include": [{"region": {"anyOf": ["Hà Nội"]}}]}),
)
GOLD = {"include": [{"tier": {"anyOf": ["gold"]}}]}

CREATE = """
mutation($input: SegmentCreateInput!) {
  segmentCreate(input: $input) { segment { id } userErrors { code message } }
}
"""
UPDATE = """
mutation($input: SegmentUpdateInput!) {
  segmentUpdate(input: $input) { segment { id } userErrors { code message } }
}
"""
DELETE = """
mutation($input: SegmentDeleteInput!) { segmentDelete(input: $input) { userErrors { code } } }
"""


async def _timed(client: Any, url: str, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    status, body = await client.post(url, body_of(query, variables))
    elapsed = (time.perf_counter() - started) * 1000
    answer = orjson.loads(body)
    if status != 200 or answer.get("errors"):
        raise RuntimeError(f"segment case: {body[:300]!r}")
    payload = next(iter(answer["data"].values()))
    if payload.get("userErrors"):
        raise RuntimeError(f"segment case: {payload['userErrors']}")
    return elapsed, payload


async def _clean(url: str, shop_id: int, made: set[str]) -> None:
    """Drop what the rounds (or a stopped run) left: the bench's segments, their members (and
    those of ``made``, deleted ones whose removal was cut short) and the events of those;
    then vacuum, so the tables are as the filter cases found them."""
    async with connected(url) as conn:
        ids = await conn.fetch(
            "SELECT id FROM segment WHERE shop_id = $1 AND name LIKE $2", shop_id, f"{NAME}%"
        )
        segment_ids = [r["id"] for r in ids]
        gone = segment_ids + [int(i) for i in made]
        for table in ("segment_member", "segment_dropped"):
            await conn.execute(
                f"DELETE FROM {table} WHERE shop_id = $1 AND segment_id = ANY($2)", shop_id, gone
            )
        await conn.execute(
            "DELETE FROM segment WHERE shop_id = $1 AND id = ANY($2)", shop_id, segment_ids
        )
        await conn.execute(
            "DELETE FROM event_outbox WHERE shop_id = $1 AND type LIKE 'segment.%'"
            " AND payload->>'segment_id' = ANY($2::text[])",
            shop_id,
            [str(i) for i in segment_ids] + sorted(made),
        )
        await conn.execute("VACUUM ANALYZE segment_member")
        await conn.execute("VACUUM ANALYZE event_outbox")


async def run_segment_case(
    url: str, app: Endpoint, shop_id: int, rounds: int
) -> list[dict[str, Any]]:
    made: set[str] = set()
    await _clean(url, shop_id, made)
    rows: list[dict[str, Any]] = []
    engine = create_engine(url, pool_size=1)
    transaction = committing(session_factory(engine))

    async def store(segment_id: int) -> float:
        started = time.perf_counter()
        async with transaction() as session:
            changes = await store_members(
                session, shop_id, segment_id, datetime.now(UTC), behind_only=True
            )
        if changes is None:
            raise RuntimeError(f"segment case: segment {segment_id} had nothing to store")
        return (time.perf_counter() - started) * 1000

    async def remove(segment_id: int) -> float:
        started = time.perf_counter()
        await drop_in_batches(transaction, shop_id, segment_id)
        return (time.perf_counter() - started) * 1000

    steps = ("create", "store_first", "update", "store_changes", "delete", "store_removal")
    try:
        async with app.client() as client:
            for name, definition in DEFINITIONS:
                times: dict[str, list[float]] = {step: [] for step in steps}
                for n in range(rounds):
                    label = f"{NAME} {name} {n}"
                    ms, payload = await _timed(
                        client,
                        app.url,
                        CREATE,
                        {"input": {"name": label, "definition": definition}},
                    )
                    times["create"].append(ms)
                    gid = payload["segment"]["id"]
                    local = int(GlobalID.from_id(gid).node_id)
                    made.add(str(local))
                    times["store_first"].append(await store(local))
                    ms, _ = await _timed(
                        client, app.url, UPDATE, {"input": {"id": gid, "definition": GOLD}}
                    )
                    times["update"].append(ms)
                    times["store_changes"].append(await store(local))
                    ms, _ = await _timed(client, app.url, DELETE, {"input": {"id": gid}})
                    times["delete"].append(ms)
                    times["store_removal"].append(await remove(local))
                for step, samples in times.items():
                    kind = "segment_store" if step.startswith("store") else "segment"
                    row = report.latency_row(
                        f"segment_{name}_{step}", kind, median(samples), max(samples), None
                    )
                    rows.append({**row, "rounds": rounds})
    finally:
        await engine.dispose()
    await _clean(url, shop_id, made)
    return rows
