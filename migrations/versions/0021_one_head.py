"""One head: the branches the capabilities grew on, joined

Each capability's migrations branched from the data model (0001) and were upgraded together as
`heads`. This revision changes nothing; it joins them, so `alembic upgrade head` works and the
next migration has one parent.

Revision ID: 0021_one_head
Revises: the eight heads below
"""

from collections.abc import Sequence

revision: str = "0021_one_head"
down_revision: str | Sequence[str] | None = (
    "0003_inbox",
    "0004_integrations",
    "0005_fk_set_null_columns",
    "0006_filter_indexes",
    "0007_filters_more",
    "0009_faster_vn_fold",
    "0010_linked_and_points_filters",
    "0020_segment_members_in_worker",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
