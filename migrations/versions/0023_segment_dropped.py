"""Deleted segments whose stored members the job worker still has to remove

`segmentDelete` deleted a segment's stored members in the request: 0.5 s for a million, so
seconds at ten million. It now deletes the segment and leaves a row here; the worker deletes
the members in bounded batches and then the row.

Revision ID: 0023_segment_dropped
Revises: 0022_outbox_without_shop_fk
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_segment_dropped"
down_revision: str | Sequence[str] | None = "0022_outbox_without_shop_fk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "segment_dropped",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("segment_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "dropped_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("shop_id", "segment_id", name="pk_segment_dropped"),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.shop_id"],
            name="fk_segment_dropped_shop_shop_id",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    for members in ("segment_member", "segment_subscriber"):
        op.execute(
            f"DELETE FROM {members} m USING segment_dropped d"
            " WHERE m.shop_id = d.shop_id AND m.segment_id = d.segment_id"
        )
    op.drop_table("segment_dropped")
