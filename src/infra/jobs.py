"""Background jobs on PostgreSQL (procrastinate): outbox dispatch, webhook delivery, and
storing segments' members.

The queue lives in the ``procrastinate`` schema created by migration 0004. Jobs open their
own database sessions through ``resources``, which the worker (or a test) sets up first.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import structlog
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.tasks import Task
from sqlalchemy.ext.asyncio import AsyncSession

from infra.automation import release_due_steps
from infra.database import asyncpg_dsn, committing, create_engine, lost, session_factory
from infra.egress import WebhookClient, webhook_client
from infra.metrics import Metrics
from infra.segment_events import drop_segments, store_segments
from infra.settings import get_settings
from infra.webhooks import deliver, dispatch_outbox, due_deliveries

log = structlog.get_logger()
QUEUE_SCHEMA = "procrastinate"
P = ParamSpec("P")
R = TypeVar("R")


def conninfo(url: str) -> str:
    """A libpq connection string for the queue, from the application's database URL."""
    dsn, kwargs = asyncpg_dsn(url)
    if "host" in kwargs:
        dsn += ("&" if "?" in dsn else "?") + f"host={kwargs['host']}"
    return dsn


def connector(url: str) -> PsycopgConnector:
    return PsycopgConnector(
        conninfo=conninfo(url), kwargs={"options": f"-c search_path={QUEUE_SCHEMA}"}
    )


@dataclass
class Resources:
    sessions: Callable[[], AsyncSession]
    client: WebhookClient
    now: Callable[[], datetime]
    metrics: Metrics = field(default_factory=Metrics)


resources: Resources | None = None
app = App(connector=PsycopgConnector())


def use(resources_: Resources) -> None:
    global resources
    resources = resources_


def _resources() -> Resources:
    if resources is None:
        raise RuntimeError("job resources are not set up: call infra.jobs.use() first")
    return resources


def utc_now() -> datetime:
    return datetime.now(UTC)


def task(
    name: str, *, queue: str, queueing_lock: str | None = None
) -> Callable[[Callable[P, Awaitable[R]]], Task[P, Awaitable[R], P]]:
    """A task of the queue whose runs are counted and timed (``Metrics.job``), however they
    are started.

    A run that meets a connection the database server dropped (a restart, a fail-over) runs
    once more, on a new one: the transactions it had open are gone with the connection, and
    every task here starts from what is stored (the outbox, the segments, a delivery's
    state), so a second run does what the first did not. A webhook may then be sent twice,
    as deliveries are at least once anyway (receivers deduplicate by the event's id)."""

    def register(run: Callable[P, Awaitable[R]]) -> Task[P, Awaitable[R], P]:
        @functools.wraps(run)
        async def measured(*args: P.args, **kwargs: P.kwargs) -> R:
            with _resources().metrics.job(name):
                try:
                    return await run(*args, **kwargs)
                except Exception as error:
                    if not lost(error):
                        raise
                    log.warning("job met a dropped database connection; running it again", job=name)
                return await run(*args, **kwargs)

        return app.task(name=name, queue=queue, queueing_lock=queueing_lock)(measured)

    return register


@task("deliver_webhook", queue="webhooks")
async def deliver_webhook(shop_id: int, delivery_id: int) -> None:
    res = _resources()
    async with res.sessions() as session:
        attempt = await deliver(session, shop_id, delivery_id, res.now(), res.client)
        await session.commit()
    if attempt is None:
        return
    if attempt.next_attempt_at is not None:
        await schedule_delivery(shop_id, delivery_id, attempt.next_attempt_at)
    res.metrics.webhook_attempts.labels(attempt.outcome).inc()
    log.info("webhook attempt", delivery_id=delivery_id, attempt=attempt)


async def schedule_delivery(shop_id: int, delivery_id: int, at: datetime | None = None) -> None:
    """Queue one attempt; the queueing lock keeps a single waiting job per delivery."""
    with contextlib.suppress(AlreadyEnqueued):
        await deliver_webhook.configure(
            queueing_lock=f"delivery-{shop_id}-{delivery_id}", schedule_at=at
        ).defer_async(shop_id=shop_id, delivery_id=delivery_id)


@app.periodic(cron=get_settings().outbox_cron, periodic_id="outbox")
@task("dispatch_outbox", queue="webhooks", queueing_lock="dispatch_outbox")
async def dispatch(timestamp: int) -> int:
    """Release due sequence steps, fan new events out to deliveries, and queue every due
    delivery (also ones whose job was lost between the commit and the queueing)."""
    res = _resources()
    async with res.sessions() as session:
        await release_due_steps(session, res.now())
        await dispatch_outbox(session, res.now())
        await session.commit()
        due = await due_deliveries(session, res.now())
    for shop_id, delivery_id in due:
        await schedule_delivery(shop_id, delivery_id)
    return len(due)


@app.periodic(cron=get_settings().segment_members_cron, periodic_id="segment_members")
@task("store_segment_members", queue="segments", queueing_lock="store_segment_members")
async def store_segment_members(timestamp: int) -> int:
    """Store the members of segments created or redefined since the last pass: the first
    ones of a new segment, and who a new definition lets in and out, with their events."""
    segments, moved = await _store(behind_only=True)
    if segments:
        log.info("segment members stored", segments=segments, moved=moved)
    dropped, removed = await drop_segments(committing(_resources().sessions))
    if dropped:
        log.info("deleted segments' members removed", segments=dropped, removed=removed)
    return moved


@app.periodic(cron=get_settings().segment_refresh_cron, periodic_id="segments")
@task("refresh_segments", queue="segments", queueing_lock="refresh_segments")
async def refresh_segments(timestamp: int) -> int:
    """Re-evaluate every segment so relative periods ("bought in the last 30 days") move
    members in and out, with their events."""
    segments, moved = await _store(behind_only=False)
    log.info("segments re-evaluated", segments=segments, moved=moved)
    return moved


async def _store(*, behind_only: bool) -> tuple[int, int]:
    """``store_segments``, a transaction per segment. Returns how many segments were stored
    and how many members entered (a new segment's first ones included) or left."""
    res = _resources()
    stored = await store_segments(committing(res.sessions), res.now(), behind_only=behind_only)
    moved = sum(c.entered + c.left for c in stored.values())
    res.metrics.segment_moves.inc(moved)
    return len(stored), moved


async def run_worker(
    url: str,
    *,
    wait: bool = True,
    concurrency: int = 4,
    signals: bool = True,
    metrics: Metrics | None = None,
) -> None:
    """Work the queue until stopped (``wait``) or until it is empty, counting into
    ``metrics`` (the API's, when both run in one process)."""
    engine = create_engine(url, pool_size=concurrency)
    metrics = metrics or Metrics()
    metrics.watch_pool(engine, "worker")
    try:
        async with webhook_client(local_network=get_settings().webhook_local_network) as client:
            use(
                Resources(
                    sessions=session_factory(engine),
                    client=client,
                    now=utc_now,
                    metrics=metrics,
                )
            )
            with app.replace_connector(connector(url)):
                async with app.open_async():
                    await app.run_worker_async(
                        wait=wait, concurrency=concurrency, install_signal_handlers=signals
                    )
    finally:
        metrics.watch_pool(None, "worker")
        await engine.dispose()
