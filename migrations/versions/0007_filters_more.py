"""Indexes for the sorted customer list: total spent, orders count, last order, name

Each starts with shop_id and ends with id, the tie-breaker of the keyset cursor, so a sorted
first page and every following page are an index range scan. Last order (nullable) is indexed
for its common direction, most recent first with customers who never bought last; name for
A to Z.

Revision ID: 0007_filters_more
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_filters_more"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_customer_sort_total_spent": "shop_id, total_spent, id",
    "ix_customer_sort_orders_count": "shop_id, orders_count, id",
    "ix_customer_sort_last_order": "shop_id, last_order_at DESC NULLS LAST, id DESC",
    "ix_customer_sort_name": "shop_id, full_name_folded, id",
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customer ({columns})")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
