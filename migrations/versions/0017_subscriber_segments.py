"""Segments of subscribers

The seeds' subscriber filter is saved "as a customer group (segment)"; segments held commerce
customers only. A segment now names its list, and the subscribers of a subscriber segment are
kept in `segment_subscriber` as customers are in `segment_member`.

Revision ID: 0017_subscriber_segments
Revises: 0016_phone_custom_fields
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_subscriber_segments"
down_revision: str | Sequence[str] | None = "0016_phone_custom_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "segment",
        sa.Column("list", sa.Text(), server_default=sa.text("'customers'"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_segment_list"), "segment", "list IN ('customers', 'subscribers')"
    )
    op.create_table(
        "segment_subscriber",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("segment_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "entered_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "segment_id"],
            ["segment.shop_id", "segment.id"],
            name=op.f("fk_segment_subscriber_segment_shop_id_segment_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_segment_subscriber_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "segment_id", "subscriber_id", name=op.f("pk_segment_subscriber")
        ),
    )


def downgrade() -> None:
    # Subscriber segments cannot be customer segments: they go, with their members.
    op.execute("DELETE FROM segment WHERE list = 'subscribers'")
    op.drop_table("segment_subscriber")
    op.drop_constraint(op.f("ck_segment_list"), "segment", type_="check")
    op.drop_column("segment", "list")
