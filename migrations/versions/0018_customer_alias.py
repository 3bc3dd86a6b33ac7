"""External ids of merged customers

A merge deleted the merged customers with their external ids, so the partner's next order or
member for one of them was refused ("no customer has external id ...") and its next customer
upsert created the duplicate again. The ids are now kept as aliases of the survivor.

Revision ID: 0018_customer_alias
Revises: 0017_subscriber_segments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_customer_alias"
down_revision: str | Sequence[str] | None = "0017_subscriber_segments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_alias",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "merged_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_customer_alias_customer_shop_id_customer_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "external_id", name=op.f("pk_customer_alias")),
    )
    op.create_index(
        "ix_customer_alias_customer", "customer_alias", ["shop_id", "customer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_customer_alias_customer", table_name="customer_alias")
    op.drop_table("customer_alias")
