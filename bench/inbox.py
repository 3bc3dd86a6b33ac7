"""Inbox benchmark cases: the first inbox page of 30 rows, with tags and 3 threads each, through
the HTTP GraphQL stack (ASGI app, real PostgreSQL), unfiltered and with three filter mixes.

Self-contained until the shared harness lands: ``run_inbox_cases(url)`` returns one result per
case (kind ``inbox``, p50 / p95 in milliseconds); ``python -m bench.inbox`` prints them as JSON.
It switches merge mode on for a staff member of the shop over (up to) 20 of its pages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from typing import Any

from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app import create_app
from domain.staff import Role
from infra import tables as t
from infra.database import create_engine, session_factory
from infra.repositories.auth import issue_token
from infra.settings import Settings

INBOX = """
query($filter: InboxFilterInput) {
  inbox(first: 30, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes {
      key lastMessageAt unreadThreadCount chatbotPaused avatarUrl
      tags { name }
      threads { nodes { id channel kind chatbotPaused lastMessageAt page { name } } }
    }
  }
}
"""

CASES: dict[str, dict[str, Any] | None] = {
    "inbox_unfiltered": None,
    "inbox_unread_unanswered_messages": {"unread": True, "unanswered": True, "kind": "MESSAGE"},
    "inbox_facebook_zalo_with_phone": {"channels": ["FACEBOOK", "ZALO"], "hasPhone": True},
    "inbox_last_30_days_with_order": {"since": "2026-10-24T00:00:00Z", "hasOrder": True},
}


async def merge_token(url: str, shop_id: int) -> str:
    """A chat-staff token whose merge mode is on over the shop's first 20 pages."""
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session:
            staff_id, token = await issue_token(
                session, shop_id=shop_id, role=Role.CHAT_STAFF, staff_name="Bench inbox"
            )
            pages = (
                await session.scalars(
                    select(t.page.c.id)
                    .where(t.page.c.shop_id == shop_id)
                    .order_by(t.page.c.id)
                    .limit(20)
                )
            ).all()
            await session.execute(
                update(t.staff)
                .where(t.staff.c.shop_id == shop_id, t.staff.c.id == staff_id)
                .values(merge_mode=True)
            )
            await session.execute(
                pg_insert(t.staff_merged_page)
                .values([{"shop_id": shop_id, "staff_id": staff_id, "page_id": p} for p in pages])
                .on_conflict_do_nothing()
            )
            await session.commit()
    finally:
        await engine.dispose()
    return token


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_inbox_cases(
    url: str, *, shop_id: int = 1, repeat: int = 30, warmup: int = 3
) -> list[dict[str, Any]]:
    """p50 / p95 (ms) of each inbox case over ``repeat`` requests after ``warmup`` ones."""
    token = await merge_token(url, shop_id)
    engine = create_engine(url, pool_size=4)
    app = create_app(
        settings=Settings(graphiql=False, rate_limit_points=0), sessions=session_factory(engine)
    )
    results: list[dict[str, Any]] = []
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {token}"}
            for name, filter in CASES.items():
                samples: list[float] = []
                rows = 0
                for i in range(warmup + repeat):
                    started = time.perf_counter()
                    response = await client.post(
                        "/graphql",
                        json={"query": INBOX, "variables": {"filter": filter}},
                        headers=headers,
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    body = response.json()
                    if response.status_code != 200 or body.get("errors"):
                        raise RuntimeError(f"{name}: {response.status_code} {body}")
                    rows = len(body["data"]["inbox"]["nodes"])
                    if i >= warmup:
                        samples.append(elapsed)
                results.append(
                    {
                        "kind": "inbox",
                        "case": name,
                        "rows": rows,
                        "runs": repeat,
                        "p50_ms": round(statistics.median(samples), 1),
                        "p95_ms": round(_percentile(samples, 0.95), 1),
                        "target_p50_ms": 80,
                    }
                )
    finally:
        await engine.dispose()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--shop-id", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("give --url or BENCH_DATABASE_URL")
    results = asyncio.run(run_inbox_cases(args.url, shop_id=args.shop_id, repeat=args.repeat))
    sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
