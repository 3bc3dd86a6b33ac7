"""A faster vn_fold(): skip translate() for ASCII text and use a short table for Vietnamese

The first vn_fold() translates through a 490-letter table for every value; folding names,
e-mails and addresses was most of the cost of loading a million customers. ASCII text needs
only lower(), and Vietnamese text only the 134 letters Vietnamese uses; anything else still
goes through the full table, so the result is the same for every input and the generated
columns and expression indexes built with the old body stay valid.

Revision ID: 0009_faster_vn_fold
Revises: 0001
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0009_faster_vn_fold"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (tests/unit/test_text.py checks them against domain.text).
VIETNAMESE_FROM = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ"
VIETNAMESE_TO = "aaaaeeeiioooouuyaaaaeeeiioooouuyaaiiuuoouuaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd"
MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"


def _function(full_from: str, full_to: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION vn_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
  WHEN value !~ '[^\\x01-\\x7f]' THEN lower(value)
  WHEN value !~ '[^\\x01-\\x7f{VIETNAMESE_FROM}{MARKS}]'
    THEN lower(translate(value, '{VIETNAMESE_FROM}{MARKS}', '{VIETNAMESE_TO}'))
  ELSE lower(translate(value, '{full_from}', '{full_to}'))
END
"""


def _first_table() -> tuple[str, str]:
    """The full table, as the first migration froze it."""
    spec = importlib.util.spec_from_file_location(
        "data_model_0001", Path(__file__).with_name("0001_data_model.py")
    )
    assert spec is not None
    assert spec.loader is not None
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    return first.FOLD_FROM, first.FOLD_TO


def upgrade() -> None:
    op.execute(_function(*_first_table()))


def downgrade() -> None:
    full_from, full_to = _first_table()
    op.execute(
        "CREATE OR REPLACE FUNCTION vn_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"RETURN lower(translate(value, '{full_from}', '{full_to}'))"
    )
