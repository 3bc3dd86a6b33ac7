"""Segment members stored by the job worker

A segment's definition carries a version, and its stored members the version they follow:
`segmentCreate` and `segmentUpdate` only bump the former, and the worker brings the members up
to it. Existing segments have their members stored already.

Revision ID: 0020_segment_members_in_worker
Revises: 0019_membership_without_fk
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_segment_members_in_worker"
down_revision: str | Sequence[str] | None = "0019_membership_without_fk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "segment",
        sa.Column("definition_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column(
        "segment",
        sa.Column("members_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.alter_column("segment", "members_version", server_default="0")
    op.add_column("segment", sa.Column("members_stored_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE segment SET members_stored_at = updated_at")
    op.create_index(
        "ix_segment_members_behind",
        "segment",
        ["shop_id", "id"],
        postgresql_where=sa.text("members_version < definition_version"),
    )


def downgrade() -> None:
    op.drop_index("ix_segment_members_behind", table_name="segment")
    op.drop_column("segment", "members_stored_at")
    op.drop_column("segment", "members_version")
    op.drop_column("segment", "definition_version")
