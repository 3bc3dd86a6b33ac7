"""Indexes that let the broad customer counts read a small index instead of the table

At a million customers the counts below read the whole customer table (317 MB) or fetch
tens of thousands of scattered rows; each index lets one of them read a narrow index, most
without visiting the table (index-only, the table being vacuumed). Each names the benchmark
case (bench/cases.py) that needs it; three replace an index of the same name and leading
columns, so they add no index to maintain:

- ix_customer_sort_orders_count (0007) gains INCLUDE (total_spent): `orders_3_to_10_spent_2m`
  (orders count and total spent ranges) is an index-only range scan. The filter compiler binds
  whole numbers for integer columns, or the column is cast to numeric on every row.
- ix_customer_phone (0001) uses text_pattern_ops: `phone_old_prefix_0123` (phone starts with)
  is a range scan; under a collation other than C, the default operator class cannot serve
  LIKE 'prefix%'. Equality lookups use it as before.
- ix_customer_province_folded (0006) gains the birthday key: `birthday_wraps_new_year_hcm`
  (birthday day range and province) reads only the matching entries.
- ix_customer_birthday, new, on the birthday key with id and birthday included:
  `birthday_this_month_members` (birthday month, members) is an index-only scan.
- ix_customer_carrier_gender, new: `carrier_female_viettel` (carrier and gender sets) is an
  index-only scan of a deduplicated index of a few MB.

The birthday key is written exactly as infra.filter_sql compiles birthday conditions (month *
100 + day as an integer); an expression index serves only the same expression.

Revision ID: 0011_count_indexes
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0011_count_indexes"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIRTHDAY_KEY = "(CAST(EXTRACT(month FROM birthday) * 100 + EXTRACT(day FROM birthday) AS integer))"

NEW = {
    "ix_customer_birthday": f"customer (shop_id, {BIRTHDAY_KEY}) INCLUDE (id, birthday)",
    "ix_customer_carrier_gender": "customer (shop_id, carrier, gender)",
}
# name: (this migration's definition, the definition it replaces)
REPLACED = {
    "ix_customer_sort_orders_count": (
        "customer (shop_id, orders_count, id) INCLUDE (total_spent)",
        "customer (shop_id, orders_count, id)",
    ),
    "ix_customer_phone": (
        "customer (shop_id, phone_normalized text_pattern_ops)",
        "customer (shop_id, phone_normalized)",
    ),
    "ix_customer_province_folded": (
        f"customer (shop_id, vn_fold(province), {BIRTHDAY_KEY})",
        "customer (shop_id, vn_fold(province))",
    ),
}


def _exists(name: str) -> bool:
    found = op.get_bind().execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar()
    return found is not None


def upgrade() -> None:
    for name, (target, _) in REPLACED.items():
        # The migration that made the replaced index may run after this one on a new database;
        # it creates its index only IF NOT EXISTS, so this definition stays.
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {target}")
    for name, target in NEW.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def downgrade() -> None:
    for name in NEW:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (_, previous) in REPLACED.items():
        # Put back the earlier definition only where the index still exists: when the migration
        # that made it was downgraded first, it is gone and stays gone.
        if _exists(name):
            op.execute(f"DROP INDEX {name}")
            op.execute(f"CREATE INDEX {name} ON {previous}")
