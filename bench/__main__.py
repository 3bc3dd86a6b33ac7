"""`make bench`: filters at a million customers, side by side with asyncpg and PostGraphile.

Seeds (or reuses) the demo shop, then measures, interleaved in one run, the first page of 50
customers with their tags and the count of every filter case (and a group's per-part counts)
through the service's HTTP GraphQL stack, the same SQL straight on asyncpg, and the same page
through PostGraphile; then the page
throughput with 8 concurrent connections against PostGraphile's, the merged inbox's first page,
and the streaming import when it is available. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench import cases as c
from bench import inbox, report, segment_case
from bench.bare import write_statements
from bench.db import connected
from bench.floor import Floor, Recorder, Statement
from bench.measure import Endpoint, Probe, body_of, interleaved, post, throughput, timed
from bench.stacks import BENCH, bare, create_token, peer, service
from infra.database import async_url, asyncpg_dsn, start_embedded, with_database

LOCAL_URL = "postgresql://postgres@127.0.0.1/customer_hub_bench"
KINDS = ("page", "count", "parts", "throughput", "inbox", "segment", "import")
FULL = 1_000_000


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def choose_database() -> tuple[str, str]:
    """The database URL and how it was chosen."""
    if os.environ.get("DATABASE_URL"):
        return async_url(os.environ["DATABASE_URL"]), "DATABASE_URL"
    ready = shutil.which("pg_isready")
    if ready and subprocess.run([ready, "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
        return async_url(LOCAL_URL), "local server (pg_isready -h 127.0.0.1 answered)"
    from infra.settings import get_settings

    return start_embedded(get_settings().data_dir, "customer_hub_bench"), "embedded PostgreSQL"


async def ensure_database(url: str) -> None:
    name = asyncpg_dsn(url)[0].rsplit("/", 1)[-1]
    async with connected(with_database(url, "postgres")) as conn:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')


async def customers_of(url: str, shop_id: int) -> int:
    async with connected(url) as conn:
        return int(await conn.fetchval("SELECT count(*) FROM customer WHERE shop_id = $1", shop_id))


async def prepare(url: str, customers: int, shop_id: int, seed: int) -> None:
    from cli import migrate
    from infra.seed import seed_shop

    await ensure_database(url)
    await asyncio.to_thread(migrate, url)
    have = await customers_of(url, shop_id)
    if have >= customers:
        say(f"reusing shop {shop_id}: {have:,} customers")
        return
    if have:
        raise SystemExit(f"shop {shop_id} has {have:,} customers, fewer than {customers:,}")
    say(f"seeding shop {shop_id} with {customers:,} customers (20 pages, 2 threads each)")
    result = await seed_shop(
        url, customers=customers, seed=seed, shop_id=shop_id, pages=20, threads_per_customer=2.0
    )
    say(result.summary())
    async with connected(url) as conn:
        await conn.execute("VACUUM ANALYZE")


async def clock(url: str, shop_id: int) -> c.Clock:
    async with connected(url) as conn:
        zone = await conn.fetchval("SELECT timezone FROM shop WHERE shop_id = $1", shop_id)
    return c.Clock(datetime.now(UTC), zone or "Asia/Ho_Chi_Minh")


def shop_for(customers: int) -> int:
    """Shop 1 is the million-customer shop; smaller runs get a shop of their own size."""
    return 1 if customers >= FULL else 1000 + customers // 1000


async def run(args: argparse.Namespace) -> None:
    url, how = choose_database()
    from infra.runtime import describe

    database = f"{describe(url)} ({how})"
    say(f"database: {database}")
    shop_id = args.shop_id or shop_for(args.customers)
    await prepare(url, args.customers, shop_id, args.seed)
    kinds = set(args.only)
    selected = c.by_name(args.cases)
    token = create_token(url, shop_id)
    when = await clock(url, shop_id)
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        app_url = stack.enter_context(service(url))
        app = Endpoint(app_url, {"Authorization": f"Bearer {token}"})
        peer_url = stack.enter_context(peer(url)) if kinds & {"page", "throughput"} else None
        if kinds & {"page", "count", "parts", "inbox"}:
            captured = await capture(args, url, token, selected)
            bare_url = None
            if "count" in kinds:
                bare_url = stack.enter_context(bare(url, bare_statements(captured)))
            peers = (peer_url, bare_url)
            rows += await latencies(args, url, shop_id, when, selected, captured, app, peers)
        if "throughput" in kinds and peer_url is not None:
            rows.append(await page_throughput(args, app, peer_url, shop_id, when, selected))
        if "segment" in kinds:
            say("segments: save and store, redefine and store, delete and remove, at a million")
            rounds = min(args.rounds, segment_case.ROUNDS)
            rows += await segment_case.run_segment_case(url, app, shop_id, rounds)
    if "import" in kinds:
        rows += await import_rows(url, args)
    say("\n" + report.table(rows))
    run_info = {
        "customers": await customers_of(url, shop_id),
        "shop_id": shop_id,
        "rounds": args.rounds,
        "throughput_seconds": args.seconds,
        "started_at": when.now.isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores",
    }
    report.write(Path(args.output), database, rows, {"run": run_info})
    say(f"written {args.output}")


async def capture(
    args: argparse.Namespace, url: str, token: str, selected: tuple[c.Case, ...]
) -> dict[tuple[str, str], list[Statement]]:
    """The statements the service runs for each measured (case, kind), captured in process;
    with ``--explain``, their plans go to ``results/explain.txt``."""
    kinds = set(args.only)
    recorder = Recorder(url, token)
    captured: dict[tuple[str, str], list[Statement]] = {}
    try:
        for case in selected:
            for kind, query in _queries(case):
                if kind in kinds:
                    captured[case.name, kind] = await recorder.capture(query, case.variables())
    finally:
        await recorder.close()
    if args.explain:
        explain: list[str] = []
        floor = await Floor.connect(url)
        try:
            for (name, kind), statements in captured.items():
                for s in statements:
                    explain.append(f"-- {name} {kind}\n{s.sql}\n{s.params}\n")
                    explain.append(await floor.explain(s) + "\n")
        finally:
            await floor.close()
        (BENCH / "results" / "explain.txt").write_text("\n".join(explain))
    return captured


def bare_statements(captured: dict[tuple[str, str], list[Statement]]) -> Path:
    """The counts' statements, in the file the bare HTTP reference answers from."""
    path = BENCH / "results" / "bare-statements.pickle"
    write_statements(
        path,
        {
            f"{name}|{kind}": [(s.sql, s.params) for s in statements]
            for (name, kind), statements in captured.items()
            if kind == "count"
        },
    )
    return path


async def latencies(
    args: argparse.Namespace,
    url: str,
    shop_id: int,
    when: c.Clock,
    selected: tuple[c.Case, ...],
    captured: dict[tuple[str, str], list[Statement]],
    app: Endpoint,
    peers: tuple[str | None, str | None],
) -> list[dict[str, Any]]:
    """Every probe of the cases, sampled interleaved, as result rows. ``peers``: the endpoints
    of PostGraphile and of the bare HTTP reference, where they run."""
    peer_url, bare_url = peers
    floor = await Floor.connect(url)
    kinds = set(args.only)

    clients = [app.client()]
    app_client = clients[0]
    peer_client = None
    if peer_url is not None:
        peer_client = Endpoint(peer_url).client()
        clients.append(peer_client)
    bare_client = None
    if bare_url is not None:
        bare_client = Endpoint(bare_url).client()
        clients.append(bare_client)
    probes: dict[str, Probe] = {}
    differing: list[str] = []
    for case in selected:
        if "page" in kinds:
            page = body_of(case.page_query(), case.variables())
            probes[f"{case.name}|page|service"] = timed(app_client, app.url, page)
            probes[f"{case.name}|page|asyncpg"] = _replay(floor, captured[case.name, "page"])
            if peer_client is not None and peer_url is not None:
                body = body_of(c.PEER_PAGE, {"shop": str(shop_id), "filter": case.peer(when)})
                theirs = await post(peer_client, peer_url, body)
                if case.same_on_peer and not case.group:
                    ours = await post(app_client, app.url, page)
                    if c.page_ids(ours) != c.peer_page_ids(theirs):
                        differing.append(case.name)
                probes[f"{case.name}|page|postgraphile"] = timed(peer_client, peer_url, body)
        for kind, query in _queries(case):
            if kind in ("count", "parts") and kind in kinds:
                probes[f"{case.name}|{kind}|service"] = timed(
                    app_client, app.url, body_of(query, case.variables())
                )
                probes[f"{case.name}|{kind}|asyncpg"] = _replay(floor, captured[case.name, kind])
                if kind == "count" and bare_client is not None and bare_url is not None:
                    key = orjson.dumps({"key": f"{case.name}|{kind}"})
                    probes[f"{case.name}|{kind}|bare"] = timed(bare_client, bare_url, key)
    if differing:
        say("first pages that differ from PostGraphile's: " + ", ".join(differing))
    if "inbox" in kinds:
        inbox_token = await inbox.merge_token(url, shop_id)
        inbox_client = Endpoint(app.url, {"Authorization": f"Bearer {inbox_token}"}).client()
        clients.append(inbox_client)
        for name, flt in inbox.CASES.items():
            probes[f"{name}|inbox|service"] = timed(
                inbox_client, app.url, body_of(inbox.INBOX, {"filter": flt})
            )
    probes = by_stack(probes)
    say(f"measuring {len(probes)} probes x {args.rounds} rounds, interleaved")
    try:
        series = await interleaved(probes, args.rounds, on_round=_progress(args.rounds))
    finally:
        for client in clients:
            await client.aclose()
        await floor.close()

    rows: list[dict[str, Any]] = []
    floors: list[str] = []
    for case in selected:
        for kind, base in (("page", "postgraphile"), ("count", "asyncpg"), ("parts", "asyncpg")):
            mine = series.get(f"{case.name}|{kind}|service")
            if mine is None:
                continue
            other = series.get(f"{case.name}|{kind}|{base}")
            reference = series.get(f"{case.name}|{kind}|bare")
            rows.append(
                report.latency_row(
                    case.name,
                    kind,
                    mine.p50,
                    mine.p95,
                    other.p50 if other else None,
                    bare_p50=reference.p50 if reference else None,
                )
            )
            if kind == "page":
                raw = series[f"{case.name}|page|asyncpg"]
                floors.append(
                    f"{case.name}: service {mine.p50:.1f} ms, asyncpg floor {raw.p50:.1f} ms"
                )
    for name in inbox.CASES if "inbox" in kinds else ():
        inboxed = series[f"{name}|inbox|service"]
        rows.append(report.latency_row(name, "inbox", inboxed.p50, inboxed.p95, None))
    if floors:
        say("page p50 against the raw SQL floor:\n  " + "\n  ".join(floors))
    return rows


STACKS = ("service", "asyncpg", "bare", "postgraphile")


def _queries(case: c.Case) -> list[tuple[str, str]]:
    """The documents measured for ``case``, by kind."""
    found = [("page", case.page_query()), ("count", case.count_query())]
    parts = case.parts_query()
    return found if parts is None else [*found, ("parts", parts)]


def by_stack(probes: dict[str, Probe]) -> dict[str, Probe]:
    """The probes grouped by kind, then by stack, cases in the same order within each group.

    A baseline probe run right after the service's probe of the same case finds the pages that
    statement just read in shared buffers; the service's probe never does. With the two
    adjacent, the tier and channel count measured 1.31x its asyncpg replay, and 0.97x with the
    pair swapped. Grouped, no probe runs right after another stack ran the same statement.

    Pages come before counts so that both stacks' pages run among pages: grouped by stack
    alone, each of the service's pages followed its own previous count (up to 250 ms of both
    cores in parallel scans) while PostGraphile's pages followed one another, which made the
    same service page 1.2-1.7x slower than in a run of pages alone.
    """

    def place(item: tuple[str, Probe]) -> tuple[int, int]:
        _, kind, stack = item[0].split("|")
        return KINDS.index(kind), STACKS.index(stack)

    return dict(sorted(probes.items(), key=place))


def _replay(floor: Floor, statements: list[Statement]) -> Probe:
    async def probe() -> float:
        return await floor.run(statements)

    return probe


def _progress(rounds: int) -> Callable[[int], None]:
    def report_round(r: int) -> None:
        if r % 5 == 4:
            say(f"  round {r + 1} (of {rounds} + 2 warm-up)")

    return report_round


async def page_throughput(
    args: argparse.Namespace,
    app: Endpoint,
    peer_url: str,
    shop_id: int,
    when: c.Clock,
    selected: tuple[c.Case, ...],
) -> dict[str, Any]:
    """The page queries of the cases both sides express alike, cycled by 8 connections; the two
    servers alternate in four slices so that both see the same machine."""
    same = [case for case in selected if case.same_on_peer and not case.group] or list(selected)
    mine = [body_of(case.page_query(), case.variables()) for case in same]
    theirs = [
        body_of(c.PEER_PAGE, {"shop": str(shop_id), "filter": case.peer(when)}) for case in same
    ]
    ours: list[float] = []
    peers: list[float] = []
    slice_seconds = args.seconds / 2
    for _ in range(2):
        ours.append(
            await throughput(app.url, app.headers, mine, connections=8, seconds=slice_seconds)
        )
        peers.append(await throughput(peer_url, {}, theirs, connections=8, seconds=slice_seconds))
    rps, peer_rps = sum(ours) / len(ours), sum(peers) / len(peers)
    say(f"throughput: service {rps:.1f} rps, postgraphile {peer_rps:.1f} rps")
    return report.throughput_row("page_throughput_8_connections", rps, peer_rps, 8)


async def import_rows(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The streaming import's figure (kind `import`), measured by ``bench/import_case.py``."""
    try:
        from bench import import_case  # type: ignore[attr-defined]
    except ImportError:
        say("import: bench/import_case.py is not there yet; no import figure")
        return []
    rows: list[dict[str, Any]] = await import_case.run_import_case(url, customers=args.customers)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--customers", type=int, default=FULL, help="shop size (default 1M)")
    parser.add_argument(
        "--only",
        type=lambda s: [k.strip() for k in s.split(",") if k.strip()],
        default=list(KINDS),
        help=f"comma-separated kinds among {','.join(KINDS)}",
    )
    parser.add_argument("--rounds", type=int, default=20, help="samples per probe")
    parser.add_argument("--seconds", type=float, default=20, help="throughput duration per side")
    parser.add_argument("--cases", type=lambda s: s.split(","), default=None, help="case names")
    parser.add_argument("--shop-id", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--explain", action="store_true", help="write results/explain.txt")
    parser.add_argument("--output", default=str(BENCH / "results" / "latest.json"))
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
