"""merged inbox: a person key on threads and the indexes the inbox pages by

Revision ID: 0003_inbox
Revises: 0001
Create Date: 2026-11-23 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_inbox"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One inbox row per person: threads resolved to a customer share the customer id; a thread
    # without one is a person of its own (negative thread id, so the two ranges never meet).
    op.execute(
        "ALTER TABLE thread ADD COLUMN person_key bigint "
        "GENERATED ALWAYS AS (coalesce(customer_id, -id)) STORED NOT NULL"
    )
    # Newest thread of a person within the inbox's pages, and the threads of an opened row.
    op.execute(
        "CREATE INDEX ix_thread_person ON thread "
        "(shop_id, person_key, last_message_at DESC, id DESC) INCLUDE (page_id)"
    )
    # The inbox of one or a few pages walks that page's threads newest first.
    op.execute(
        "CREATE INDEX ix_thread_page_recent ON thread "
        "(shop_id, page_id, last_message_at DESC, id DESC)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_thread_page_recent")
    op.execute("DROP INDEX IF EXISTS ix_thread_person")
    op.execute("ALTER TABLE thread DROP COLUMN IF EXISTS person_key")
