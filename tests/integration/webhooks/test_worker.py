"""The real job queue on the test database: dispatch and delivery jobs run by a worker.

The jobs' own sessions are bound to the test's transaction (so the test still rolls back);
the queue's rows are real procrastinate rows in the test database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from procrastinate.jobs import Job
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.events import EventType
from infra import jobs
from infra import tables as t
from infra.events import emit
from infra.metrics import Metrics
from tests.conftest import SHOP_ID, job_resources
from tests.factories import make_webhook_subscription
from tests.integration.webhooks.receiver import receiver


@dataclass
class Worked:
    requests: int
    """How many requests the receiver got."""
    jobs: list[Job]
    metrics: Metrics


async def deliver_one_event(
    session: AsyncSession,
    connection: AsyncConnection,
    database_url: str,
    now: datetime,
    answers: list[int | str],
) -> Worked:
    """Emit one event to a receiver answering ``answers``, queue a dispatch and work the
    webhooks queue until no job is due. Jobs left for later (retries) are then deleted, since
    the queue's rows outlive the test's transaction."""
    with receiver(answers) as hook:
        await make_webhook_subscription(session, hook.url, ["sequence.step_due"])
        await emit(session, SHOP_ID, EventType.SEQUENCE_STEP_DUE, {"enrolmentId": 1}, now)
        await session.flush()
        async with job_resources(connection, lambda: now) as resources:
            with jobs.app.replace_connector(jobs.connector(database_url)):
                async with jobs.app.open_async():
                    manager = jobs.app.job_manager
                    await jobs.dispatch.defer_async(timestamp=int(now.timestamp()))
                    await jobs.app.run_worker_async(
                        wait=False, install_signal_handlers=False, queues=["webhooks"]
                    )
                    found = list(await manager.list_jobs_async(queue="webhooks"))
                    for job in found:
                        if job.status == "todo" and job.id is not None:
                            await manager.cancel_job_by_id_async(job.id, delete_job=True)
    return Worked(len(hook.requests), found, resources.metrics)


@pytest.mark.spec("X5")
async def test_worker_dispatches_the_outbox_and_delivers(
    session: AsyncSession, connection: AsyncConnection, database_url: str, shop: int, now: datetime
) -> None:
    worked = await deliver_one_event(session, connection, database_url, now, [200])

    assert worked.requests == 1
    d = t.webhook_delivery
    assert (await session.execute(select(d.c.status, d.c.attempts))).one() == ("delivered", 1)
    assert {job.task_name for job in worked.jobs} >= {"dispatch_outbox", "deliver_webhook"}
    assert all(job.status == "succeeded" for job in worked.jobs)
    # the worker's runs and the attempt are counted for GET /metrics
    value = worked.metrics.registry.get_sample_value
    dispatches = [job for job in worked.jobs if job.task_name == "dispatch_outbox"]  # cron's too
    assert value("customer_hub_jobs_total", {"job": "dispatch_outbox", "outcome": "ok"}) == len(
        dispatches
    )
    assert value("customer_hub_jobs_total", {"job": "deliver_webhook", "outcome": "ok"}) == 1
    assert value("customer_hub_job_seconds_count", {"job": "deliver_webhook"}) == 1
    assert value("customer_hub_webhook_attempts_total", {"outcome": "delivered"}) == 1


@pytest.mark.spec("X5")
async def test_an_attempt_that_will_be_retried_is_counted_as_retrying(
    session: AsyncSession, connection: AsyncConnection, database_url: str, shop: int
) -> None:
    # the queue schedules the retry by the real clock: a minute from now, not yet due
    now = datetime.now(UTC)
    worked = await deliver_one_event(session, connection, database_url, now, [503])

    assert worked.requests == 1
    assert [j.task_name for j in worked.jobs if j.status == "todo"] == ["deliver_webhook"]
    d = t.webhook_delivery
    assert (await session.execute(select(d.c.status, d.c.attempts))).one() == ("pending", 1)
    value = worked.metrics.registry.get_sample_value
    assert value("customer_hub_webhook_attempts_total", {"outcome": "retrying"}) == 1
    assert value("customer_hub_webhook_attempts_total", {"outcome": "delivered"}) is None
    # the job itself went well: the receiver's refusal is the attempt's outcome
    assert value("customer_hub_jobs_total", {"job": "deliver_webhook", "outcome": "ok"}) == 1
