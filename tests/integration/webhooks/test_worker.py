"""The real job queue on the test database: dispatch and delivery jobs run by a worker.

The jobs' own sessions are bound to the test's transaction (so the test still rolls back);
the queue's rows are real procrastinate rows in the test database.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.events import EventType
from infra import jobs
from infra import tables as t
from infra.events import emit
from tests.conftest import SHOP_ID, job_resources
from tests.factories import make_webhook_subscription
from tests.integration.webhooks.receiver import receiver


@pytest.mark.spec("X5")
async def test_worker_dispatches_the_outbox_and_delivers(
    session: AsyncSession, connection: AsyncConnection, database_url: str, shop: int, now: datetime
) -> None:
    with receiver([200]) as hook:
        await make_webhook_subscription(session, hook.url, ["sequence.step_due"])
        await emit(session, SHOP_ID, EventType.SEQUENCE_STEP_DUE, {"enrolmentId": 1}, now)
        await session.flush()
        async with job_resources(connection, lambda: now):
            with jobs.app.replace_connector(jobs.connector(database_url)):
                async with jobs.app.open_async():
                    await jobs.dispatch.defer_async(timestamp=int(now.timestamp()))
                    await jobs.app.run_worker_async(
                        wait=False, install_signal_handlers=False, queues=["webhooks"]
                    )
                    statuses = await jobs.app.job_manager.list_jobs_async(queue="webhooks")
    assert len(hook.requests) == 1
    d = t.webhook_delivery
    assert (await session.execute(select(d.c.status, d.c.attempts))).one() == ("delivered", 1)
    assert {job.task_name for job in statuses} >= {"dispatch_outbox", "deliver_webhook"}
    assert all(job.status == "succeeded" for job in statuses)
