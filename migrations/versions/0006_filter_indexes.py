"""Indexes for filters that the benchmark at a million customers showed to need them

`region` and `province` / `district` conditions compare vn_fold(column), which costs tens of
microseconds a row: without an expression index a region count reads and folds every customer
(31 s at 1,000,000 customers, 0.4 s with these). The utm campaign of linked subscribers is
matched the same way; the index carries customer_id so the semi-join needs no heap. Orders by
time serve "purchased within a period" as an index-only range scan. Where pg_trgm is installed
(not on the embedded server), a trigram index serves `contains` on folded names.

Revision ID: 0006_filter_indexes
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0006_filter_indexes"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_customer_province_folded": "customer (shop_id, vn_fold(province))",
    "ix_customer_district_folded": "customer (shop_id, vn_fold(district))",
    "ix_subscriber_utm_campaign_folded": "subscriber (shop_id, vn_fold(utm_campaign), customer_id)",
    "ix_order_placed": '"order" (shop_id, placed_at, customer_id)',
}
TRIGRAM = "ix_customer_full_name_trgm"


def upgrade() -> None:
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    bind = op.get_bind()
    available = bind.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if available:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM} ON customer"
            " USING gin (full_name_folded gin_trgm_ops)"
        )


def downgrade() -> None:
    for name in (*INDEXES, TRIGRAM):
        op.execute(f"DROP INDEX IF EXISTS {name}")
