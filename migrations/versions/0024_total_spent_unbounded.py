"""A customer's total spent without a precision

`total_spent` was numeric(16, 0) while an order may be up to 10^13 VND: a thousand of the
largest orders overflowed it, and the write that recomputed the figure failed whole. Dropping
the precision keeps every sum. PostgreSQL changes the column's type without rewriting the
table or its indexes (the values are stored alike).

Revision ID: 0024_total_spent_unbounded
Revises: 0023_segment_dropped
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_total_spent_unbounded"
down_revision: str | Sequence[str] | None = "0023_segment_dropped"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "customer",
        "total_spent",
        type_=sa.Numeric(),
        existing_type=sa.Numeric(16, 0),
        existing_nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        "customer",
        "total_spent",
        type_=sa.Numeric(16, 0),
        existing_type=sa.Numeric(),
        existing_nullable=False,
    )
