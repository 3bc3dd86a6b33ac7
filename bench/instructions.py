"""Instructions per request, counted by callgrind: a steadier measure of the service's own work
than milliseconds on a shared machine, where timings of one request move by a fifth between
runs of the same code ("The eighteenth pass" in bench/README.md).

Each case's page or count runs in process through the schema and is encoded as the transport
encodes it (no HTTP), on the bench's shop
(seeded by `make bench` first), inside `valgrind --tool=callgrind` with instrumentation
switched on only around the measured requests, after a warm-up. The same code counts the same
within 0.2 %.

    PYTHONPATH=src .venv/bin/python -m bench.instructions
    PYTHONPATH=src .venv/bin/python -m bench.instructions --cases region_hanoi_danang --kinds page

Needs valgrind (Debian's package). The database is chosen as `make bench` chooses it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import cases as c
from bench.__main__ import FULL, choose_database, customers_of, shop_for
from bench.stacks import ROOT, create_token, service_env

KINDS = ("page", "count")
COLLECTED = re.compile(r"Collected : ([\d,]+)")


def measure(url: str, token: str, case: str, kind: str, requests: int) -> float:
    """Instructions per request of ``kind`` of ``case``, from a process run under callgrind."""
    env = service_env(url)  # run from ROOT, so `-m bench.instructions` finds the bench too
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
                sys.executable,
                "-m",
                "bench.instructions",
                "--inner",
                token,
                case,
                kind,
                str(requests),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    found = COLLECTED.search(out.stderr)
    if found is None:
        raise RuntimeError(f"callgrind reported no count:\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", "")) / requests


async def inner(token: str, name: str, kind: str, requests: int) -> None:
    """Run under callgrind: warm up, then count ``requests`` requests."""
    import orjson
    from strawberry.http import process_result

    from app import create_app, opened_context
    from graph.schema import schema

    case = next(x for x in c.CASES if x.name == name)
    query = case.page_query() if kind == "page" else case.count_query()
    app = create_app()
    async with app.router.lifespan_context(app):

        async def one() -> None:
            async with opened_context(app.state, token) as context:
                result = await schema.execute(
                    query, variable_values=case.variables(), context_value=context
                )
            if result.errors:
                raise RuntimeError(str(result.errors))
            orjson.dumps(process_result(result))  # the body, as the transport writes it

        for _ in range(30):
            await one()
        _instrumentation("on")
        for _ in range(requests):
            await one()
        _instrumentation("off")


def _instrumentation(state: str) -> None:
    """Switch callgrind's counting for this process, waiting for it: nothing else runs on the
    event loop meanwhile, and nothing should be counted but the requests."""
    switch = ["callgrind_control", "-i", state, str(os.getpid())]
    subprocess.run(switch, check=True, capture_output=True)


async def prepared(shop_id: int, url: str) -> None:
    try:
        found = await customers_of(url, shop_id)
    except Exception:  # no such database or no tables yet
        found = 0
    if not found:
        raise SystemExit(f"shop {shop_id} has no customers: run `make bench` first")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--cases", type=lambda s: s.split(","), default=None, help="case names")
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=list(KINDS))
    parser.add_argument("--requests", type=int, default=50, help="requests counted per probe")
    parser.add_argument("--customers", type=int, default=FULL, help="shop size (default 1M)")
    parser.add_argument("--inner", nargs=4, metavar=("TOKEN", "CASE", "KIND", "N"))
    args = parser.parse_args(argv)
    if args.inner:
        import uvloop  # the loop uvicorn serves the API on

        token, name, kind, requests = args.inner
        uvloop.run(inner(token, name, kind, int(requests)))
        return
    url, how = choose_database()
    shop_id = shop_for(args.customers)
    asyncio.run(prepared(shop_id, url))
    token = create_token(url, shop_id)
    sys.stdout.write(f"database: {how}; instructions per request, {args.requests} requests each\n")
    for case in c.by_name(args.cases):
        for kind in args.kinds:
            count = measure(url, token, case.name, kind, args.requests)
            sys.stdout.write(f"{case.name:36} {kind:6} {count / 1e6:8.3f} M\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
