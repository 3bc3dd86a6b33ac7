"""ON DELETE SET NULL of shop-first foreign keys nulls only the reference, never shop_id

A composite key (shop_id, x) with plain SET NULL would set shop_id to NULL too, which the
NOT NULL shop_id refuses, so deleting a referenced row failed. PostgreSQL 15 lets the action
name the columns to null.

Revision ID: 0005_fk_set_null_columns
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0005_fk_set_null_columns"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SET_NULL_KEYS = text(
    """
    SELECT c.conname, c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS ref,
           array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                  ORDER BY k.i) AS cols,
           array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                  ORDER BY k.i) AS ref_cols
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.contype = 'f' AND c.confdeltype = 'n'
    """
)


def _rewrite(only_referencing_column: bool) -> None:
    for key in op.get_bind().execute(SET_NULL_KEYS).all():
        nulled = [col for col in key.cols if col != "shop_id"]
        action = f"SET NULL ({', '.join(nulled)})" if only_referencing_column else "SET NULL"
        op.execute(
            f'ALTER TABLE {key.tbl} DROP CONSTRAINT "{key.conname}", '
            f'ADD CONSTRAINT "{key.conname}" FOREIGN KEY ({", ".join(key.cols)}) '
            f"REFERENCES {key.ref} ({', '.join(key.ref_cols)}) ON DELETE {action}"
        )


def upgrade() -> None:
    _rewrite(only_referencing_column=True)


def downgrade() -> None:
    _rewrite(only_referencing_column=False)
