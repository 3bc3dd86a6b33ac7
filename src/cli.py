"""`customer-hub` command line: serve, worker, migrate, seed, import, schema, token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from infra.logs import configure_logging
from infra.settings import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from infra.metrics import Metrics

DEMO_SHOP_ID = 1


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


async def _demo_token(url: str) -> str:
    """The demo owner token, kept in the data folder so restarts print the same one."""
    from domain.staff import Role
    from infra.database import create_engine, session_factory
    from infra.repositories.auth import ensure_shop, issue_token, principal_for

    settings = get_settings()
    path = settings.data_dir / "demo-token"
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session:
            if path.exists():
                token = path.read_text().strip()
                if await principal_for(session, token) is not None:
                    return token
            await ensure_shop(session, shop_id=DEMO_SHOP_ID, name="Cửa hàng Demo")
            _, token = await issue_token(
                session, shop_id=DEMO_SHOP_ID, role=Role.OWNER, staff_name="Chủ cửa hàng (demo)"
            )
            await session.commit()
    finally:
        await engine.dispose()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(token + "\n")
    return token


async def _seed(url: str, customers: int, seed: int, shop_id: int, **options: object) -> None:
    from infra.seed import seed_shop

    report = await seed_shop(url, customers=customers, seed=seed, shop_id=shop_id, **options)  # type: ignore[arg-type]
    sys.stderr.write(f"{report}\n")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app import create_app
    from infra.runtime import database_url, describe

    settings = get_settings()
    url = database_url()
    migrate(url)
    if not settings.database_url or args.demo:
        asyncio.run(_seed(url, settings.demo_customers, settings.demo_seed, DEMO_SHOP_ID))
    token = asyncio.run(_demo_token(url))
    sys.stderr.write(
        f"\ncustomer-hub on {describe(url)}\n"
        f"GraphiQL: http://{settings.host}:{settings.port}/graphql\n"
        f"Demo token (owner of shop {DEMO_SHOP_ID}): {token}\n"
        f'Header to set in GraphiQL: {{"Authorization": "Bearer {token}"}}\n\n'
    )
    app = create_app(settings=settings, demo_token=token)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level=settings.log_level
    )
    worker_url = url if settings.worker_in_server else None
    asyncio.run(serve_with_worker(uvicorn.Server(config), worker_url, app.state.metrics))


class Serving(Protocol):
    async def serve(self) -> None: ...


async def serve_with_worker(server: Serving, worker_url: str | None, metrics: Metrics) -> None:
    """The API, and the job worker in the same event loop unless it runs on its own; the
    worker then counts into the API's metrics. When the API stops, so does the worker."""
    from infra.jobs import run_worker

    worker = (
        asyncio.create_task(run_worker(worker_url, signals=False, metrics=metrics))
        if worker_url
        else None
    )
    try:
        await server.serve()
    finally:
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)


def cmd_worker(args: argparse.Namespace) -> None:
    from infra.jobs import run_worker
    from infra.metrics import Metrics
    from infra.runtime import database_url

    settings = get_settings()
    url = database_url()
    migrate(url)
    metrics = Metrics()
    if settings.metrics and settings.worker_metrics_port:
        metrics.serve(settings.host, settings.worker_metrics_port, settings.metrics_token)
        sys.stderr.write(
            f"worker metrics: http://{settings.host}:{settings.worker_metrics_port}/metrics\n"
        )
    asyncio.run(run_worker(url, concurrency=args.concurrency, metrics=metrics))


def cmd_stop_db(args: argparse.Namespace) -> None:
    """Stop the embedded PostgreSQL that `serve` leaves running (its data stays).

    A fast shutdown (SIGINT to the postmaster, as `pg_ctl stop -m fast` does): open sessions are
    ended and everything committed is kept.
    """
    import os
    import signal
    import time

    pgdata = get_settings().data_dir / "pg"
    pid_file = pgdata / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, signal.SIGINT)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        sys.stderr.write(f"No embedded PostgreSQL is running in {pgdata}.\n")
        return
    deadline = time.monotonic() + 60
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_file.exists():
        sys.stderr.write(f"PostgreSQL (pid {pid}) is still shutting down in {pgdata}.\n")
        raise SystemExit(1)
    sys.stderr.write(f"Stopped the embedded PostgreSQL in {pgdata}.\n")


def cmd_migrate(args: argparse.Namespace) -> None:
    from infra.runtime import database_url

    migrate(database_url())


def cmd_seed(args: argparse.Namespace) -> None:
    from infra.runtime import database_url

    url = database_url()
    migrate(url)
    options: dict[str, object] = {}
    if args.pages is not None:
        options["pages"] = args.pages
    if args.threads_per_customer is not None:
        options["threads_per_customer"] = args.threads_per_customer
    asyncio.run(_seed(url, args.customers, args.seed, args.shop_id, **options))


def cmd_schema(args: argparse.Namespace) -> None:
    from graph.schema import schema

    text = schema.as_str() + "\n"
    if args.check:
        current = Path(args.output).read_text() if Path(args.output).exists() else ""
        if current != text:
            sys.stderr.write(f"{args.output} is stale: run `make schema`.\n")
            raise SystemExit(1)
        return
    Path(args.output).write_text(text)


def cmd_token(args: argparse.Namespace) -> None:
    from domain.staff import Role
    from infra.database import create_engine, session_factory
    from infra.repositories.auth import ensure_shop, issue_token
    from infra.runtime import database_url

    async def run() -> str:
        engine = create_engine(database_url(), pool_size=1)
        try:
            async with session_factory(engine)() as session:
                await ensure_shop(session, shop_id=args.shop_id, name=f"Shop {args.shop_id}")
                _, token = await issue_token(
                    session, shop_id=args.shop_id, role=Role(args.role), staff_name=args.name
                )
                await session.commit()
                return token
        finally:
            await engine.dispose()

    sys.stdout.write(asyncio.run(run()) + "\n")


def cmd_import(args: argparse.Namespace) -> None:
    from infra.ingest.stream import import_customers
    from infra.runtime import database_url

    if not Path(args.file).is_file():
        sys.stderr.write(f"{args.file}: no such file\n")
        raise SystemExit(1)
    try:
        report = asyncio.run(
            import_customers(
                database_url(),
                args.file,
                args.shop_id,
                progress=not args.no_progress,
                fmt=args.format,
                report_path=args.report,
            )
        )
    except LookupError as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(1) from None
    sys.stderr.write(f"{report}\n")
    if report.errors:
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="customer-hub", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, seed the demo shop if new, and serve the API")
    serve.add_argument("--demo", action="store_true", help="seed the demo shop on DATABASE_URL too")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply the migrations").set_defaults(func=cmd_migrate)
    sub.add_parser(
        "stop-db", help="stop the embedded PostgreSQL that serve leaves running"
    ).set_defaults(func=cmd_stop_db)

    worker = sub.add_parser("worker", help="run the job worker (webhooks, automation)")
    worker.add_argument("--concurrency", type=int, default=4)
    worker.set_defaults(func=cmd_worker)

    seed = sub.add_parser("seed", help="generate a realistic Vietnamese demo shop")
    seed.add_argument("--customers", type=int, default=5000)
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--shop-id", type=int, default=DEMO_SHOP_ID)
    seed.add_argument("--pages", type=int, default=None)
    seed.add_argument("--threads-per-customer", type=float, default=None)
    seed.set_defaults(func=cmd_seed)

    schema = sub.add_parser("schema", help="export the GraphQL SDL")
    schema.add_argument("--output", default=str(PROJECT_ROOT / "schema.graphql"))
    schema.add_argument("--check", action="store_true", help="fail if the file is stale")
    schema.set_defaults(func=cmd_schema)

    token = sub.add_parser("token", help="create a staff member and print an API token")
    token.add_argument("--shop-id", type=int, default=DEMO_SHOP_ID)
    token.add_argument("--role", default="owner")
    token.add_argument("--name", default="API client")
    token.set_defaults(func=cmd_token)

    load = sub.add_parser("import", help="load a large file of partner records")
    kinds = load.add_subparsers(dest="kind", required=True)
    customers = kinds.add_parser(
        "customers",
        help="customers from NDJSON or CSV (customerBulkUpsert's fields), keyed by externalId",
    )
    customers.add_argument("file", help="the .ndjson / .jsonl or .csv file")
    customers.add_argument("--shop-id", type=int, default=DEMO_SHOP_ID)
    customers.add_argument(
        "--format", choices=("ndjson", "csv"), default=None, help="default: by file extension"
    )
    customers.add_argument(
        "--report", default=None, help="per-line error report (default: FILE.errors.csv)"
    )
    customers.add_argument("--no-progress", action="store_true", help="no progress bar")
    customers.set_defaults(func=cmd_import)

    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    args.func(args)


if __name__ == "__main__":
    main()
