"""integrations: the job queue's schema, and indexes for the outbox, webhooks and automation

Revision ID: 0004_integrations
Revises: 0001
Create Date: 2026-11-23 05:00:00

The job queue (procrastinate) keeps its jobs in tables of its own, in a schema of its own (its
tables are not shop data), created here from the SQL the installed library ships, so the
embedded PostgreSQL gets them too. The SQL holds several
statements and dollar-quoted functions, so it goes to the driver in one simple query.
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util.concurrency import await_

revision: str = "0004_integrations"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_SCHEMA = "procrastinate"


def _simple_query(sql: str) -> None:
    driver = op.get_bind().connection.driver_connection
    await_(driver.execute(sql))


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA {QUEUE_SCHEMA}")
    _simple_query(
        f"SET search_path TO {QUEUE_SCHEMA}; {SchemaManager.get_schema()}; RESET search_path;"
    )
    op.execute(
        "CREATE INDEX ix_event_outbox_pending ON event_outbox (id) WHERE dispatched_at IS NULL"
    )
    op.execute("CREATE INDEX ix_webhook_attempt_delivery ON webhook_attempt (shop_id, delivery_id)")
    op.execute(
        "CREATE INDEX ix_webhook_delivery_subscription "
        "ON webhook_delivery (shop_id, subscription_id, id)"
    )
    op.execute("CREATE INDEX ix_enrolment_thread ON sequence_enrolment (shop_id, thread_id)")
    op.execute("CREATE INDEX ix_automation_rule_tag ON automation_rule (shop_id, tag_id)")


def downgrade() -> None:
    for name in (
        "ix_automation_rule_tag",
        "ix_enrolment_thread",
        "ix_webhook_delivery_subscription",
        "ix_webhook_attempt_delivery",
        "ix_event_outbox_pending",
    ):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute(f"DROP SCHEMA {QUEUE_SCHEMA} CASCADE")
