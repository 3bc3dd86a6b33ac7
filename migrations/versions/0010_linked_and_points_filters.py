"""Stored folded utm campaigns and OTN topics, covering link indexes, pending points indexes

Conditions on a customer's linked subscribers folded `utm_campaign` and OTN topics at query
time: the topic half of a filter folded all 181,855 topics of the benchmark shop (2 s), and the
expression index on vn_fold(utm_campaign) could not answer from the index alone. Both are now
generated columns like the other `*_folded` ones, indexed with the id that leads on (the
expression index is replaced).

Counting customers by their subscribers walks every subscriber of the shop in customer order;
the customer index now carries the subscriber id (for the conditions on OTN topics, tags and
custom fields) and the folded campaign, so that walk reads the index only (0.55 s to 0.25 s).
Likewise the tier index carries the customer id: the members of a tier, 18,300 gold members
spread over 4,828 heap pages, are read from the index alone.

`points` filters on the points a member can spend now, the balance minus earned entries not
yet available. Those pending entries are a small, recent part of the ledger: one partial index
finds the members that have any, another sums one member's.

Revision ID: 0010_linked_and_points_filters
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_linked_and_points_filters"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED = {
    "subscriber": ("utm_campaign_folded", "utm_campaign"),
    "otn_subscription": ("topic_folded", "topic"),
}
# Indexes this revision replaces: (name, before, after).
REPLACED = (
    (
        "ix_subscriber_utm_campaign_folded",
        "subscriber (shop_id, vn_fold(utm_campaign), customer_id)",
        "subscriber (shop_id, utm_campaign_folded, customer_id)",
    ),
    (
        "ix_subscriber_customer",
        "subscriber (shop_id, customer_id)",
        "subscriber (shop_id, customer_id) INCLUDE (id, utm_campaign_folded)",
    ),
    ("ix_member_tier", "member (shop_id, tier)", "member (shop_id, tier) INCLUDE (customer_id)"),
)
ADDED = {
    "ix_otn_subscription_topic_folded": "otn_subscription (shop_id, topic_folded, subscriber_id)",
    "ix_point_entry_pending": (
        "point_entry (shop_id, available_at) INCLUDE (member_id) WHERE kind = 'earn'"
    ),
    "ix_point_entry_pending_member": (
        "point_entry (shop_id, member_id, available_at) INCLUDE (points) WHERE kind = 'earn'"
    ),
}


def upgrade() -> None:
    for name, _, _ in REPLACED:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for table, (column, source) in FOLDED.items():
        op.add_column(
            table, sa.Column(column, sa.Text(), sa.Computed(f"vn_fold({source})", persisted=True))
        )
    for name, _, after in REPLACED:
        op.execute(f"CREATE INDEX {name} ON {after}")
    for name, target in ADDED.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in (*ADDED, *(name for name, _, _ in REPLACED)):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for table, (column, _) in FOLDED.items():
        op.drop_column(table, column)
    for name, before, _ in REPLACED:
        op.execute(f"CREATE INDEX {name} ON {before}")
