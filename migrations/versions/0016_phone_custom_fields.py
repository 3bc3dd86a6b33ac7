"""Custom fields may hold phone numbers

The chatbot's default fields include "Số di động" and "Số điện thoại (từ ref)". As text they
were compared as written, so "starts with 0123" missed "+84 123 ..." and the numbers renumbered
to 083. A `phone` field stores the 10-digit national form and matches as phone conditions do.

Revision ID: 0016_phone_custom_fields
Revises: 0015_member_key_since
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_phone_custom_fields"
down_revision: str | Sequence[str] | None = "0015_member_key_since"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _allow(types: str) -> None:
    op.execute(
        "ALTER TABLE custom_field DROP CONSTRAINT ck_custom_field_type,"
        f" ADD CONSTRAINT ck_custom_field_type CHECK (type IN ({types}))"
    )


def upgrade() -> None:
    _allow("'text', 'number', 'date', 'phone'")


def downgrade() -> None:
    # Phone fields become text fields holding the same numbers.
    op.execute("UPDATE custom_field SET type = 'text' WHERE type = 'phone'")
    _allow("'text', 'number', 'date'")
