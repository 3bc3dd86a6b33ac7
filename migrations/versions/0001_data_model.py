"""data model: every aggregate, and vn_fold() for Vietnamese-aware matching

Revision ID: 0001
Revises:
Create Date: 2026-11-23 04:16:21.039673
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of domain.text's table (tests/unit/test_text.py checks they agree). Characters of
# the source list beyond the target list (the combining marks) are deleted by translate().
FOLD_FROM = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ̛̣̀́̂̃̆̉"
FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd"

VN_FOLD = f"""
CREATE FUNCTION vn_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(translate(value, '{FOLD_FROM}', '{FOLD_TO}'))
"""


def upgrade() -> None:
    op.execute(VN_FOLD)
    op.create_table(
        "shop",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Asia/Ho_Chi_Minh", nullable=False),
        sa.Column("points_delay_hours", sa.Integer(), server_default="24", nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_shop")),
    )
    op.create_table(
        "custom_field",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.CheckConstraint("type IN ('text', 'number', 'date')", name=op.f("ck_custom_field_type")),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.shop_id"],
            name=op.f("fk_custom_field_shop_shop_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_custom_field")),
        sa.UniqueConstraint("shop_id", "key", name=op.f("uq_custom_field_shop_id_key")),
    )
    op.create_table(
        "customer",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column("gender", sa.Text(), server_default="unknown", nullable=False),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("email_normalized", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("phone_normalized", sa.Text(), nullable=True),
        sa.Column("carrier", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("district", sa.Text(), nullable=True),
        sa.Column("ward", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("orders_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "total_spent", sa.Numeric(precision=16, scale=0), server_default="0", nullable=False
        ),
        sa.Column("last_order_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("channels", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "full_name_folded",
            sa.Text(),
            sa.Computed("vn_fold(full_name)", persisted=True),
            nullable=True,
        ),
        sa.Column(
            "email_folded", sa.Text(), sa.Computed("vn_fold(email)", persisted=True), nullable=True
        ),
        sa.Column(
            "address_folded",
            sa.Text(),
            sa.Computed("vn_fold(address)", persisted=True),
            nullable=True,
        ),
        sa.CheckConstraint(
            "gender IN ('female', 'male', 'unknown')", name=op.f("ck_customer_gender")
        ),
        sa.CheckConstraint("orders_count >= 0", name=op.f("ck_customer_orders_count")),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_customer_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_customer")),
    )
    op.create_index("ix_customer_email", "customer", ["shop_id", "email_normalized"], unique=False)
    op.create_index("ix_customer_phone", "customer", ["shop_id", "phone_normalized"], unique=False)
    op.create_index(
        "uq_customer_external_id",
        "customer",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "event_outbox",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("dispatched_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.shop_id"],
            name=op.f("fk_event_outbox_shop_shop_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_event_outbox")),
    )
    op.create_table(
        "loyalty_tier",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.shop_id"],
            name=op.f("fk_loyalty_tier_shop_shop_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_loyalty_tier")),
        sa.UniqueConstraint("shop_id", "code", name=op.f("uq_loyalty_tier_shop_id_code")),
    )
    op.create_table(
        "page",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("connection_state", sa.Text(), server_default="connected", nullable=False),
        sa.Column(
            "first_connected_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "state_changed_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "notice_dismissed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.CheckConstraint(
            "channel IN ('facebook', 'instagram', 'zalo', 'shopee')", name=op.f("ck_page_channel")
        ),
        sa.CheckConstraint(
            "connection_state IN ('connected', 'lost', 'disconnected')",
            name=op.f("ck_page_connection_state"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_page_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_page")),
        sa.UniqueConstraint(
            "shop_id", "channel", "external_id", name=op.f("uq_page_shop_id_channel_external_id")
        ),
    )
    op.create_table(
        "product",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("price", sa.Numeric(precision=16, scale=0), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_product_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_product")),
        sa.UniqueConstraint("shop_id", "sku", name=op.f("uq_product_shop_id_sku")),
    )
    op.create_table(
        "sequence",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_sequence_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_sequence")),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_sequence_shop_id_name")),
    )
    op.create_table(
        "staff",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("merge_mode", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('owner', 'shop_admin', 'social_admin', 'chat_staff', 'default', 'default_advanced', 'basic')",
            name=op.f("ck_staff_role"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_staff_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_staff")),
    )
    op.create_table(
        "store",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shop.shop_id"], name=op.f("fk_store_shop_shop_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_store")),
        sa.UniqueConstraint("shop_id", "code", name=op.f("uq_store_shop_id_code")),
    )
    op.create_table(
        "webhook_subscription",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shop.shop_id"],
            name=op.f("fk_webhook_subscription_shop_shop_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_webhook_subscription")),
    )
    op.create_table(
        "api_token",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "staff_id"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_api_token_staff_shop_id_staff_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("shop_id", "token_hash", name=op.f("uq_api_token_shop_id_token_hash")),
    )
    op.create_table(
        "member",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("member_code", sa.Text(), nullable=False),
        sa.Column("tier", sa.Text(), nullable=True),
        sa.Column("member_since", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("points_balance", sa.Integer(), server_default="0", nullable=False),
        sa.Column("points_used", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_member_customer_shop_id_customer_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_member")),
        sa.UniqueConstraint("shop_id", "customer_id", name=op.f("uq_member_shop_id_customer_id")),
        sa.UniqueConstraint("shop_id", "member_code", name=op.f("uq_member_shop_id_member_code")),
    )
    op.create_index("ix_member_tier", "member", ["shop_id", "tier"], unique=False)
    op.create_index(
        "uq_member_external_id",
        "member",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "order",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("store_id", sa.BigInteger(), nullable=True),
        sa.Column("placed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("total_amount", sa.Numeric(precision=16, scale=0), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('web', 'pos', 'facebook', 'instagram', 'zalo', 'shopee', 'tiktok', 'other')",
            name=op.f("ck_order_channel"),
        ),
        sa.CheckConstraint("total_amount >= 0", name=op.f("ck_order_total_amount")),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_order_customer_shop_id_customer_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "store_id"],
            ["store.shop_id", "store.id"],
            name=op.f("fk_order_store_shop_id_store_id"),
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_order")),
    )
    op.create_index(
        "ix_order_customer", "order", ["shop_id", "customer_id", "placed_at"], unique=False
    )
    op.create_index(
        "uq_order_external_id",
        "order",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "saved_filter",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("list", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("owner_staff_id", sa.BigInteger(), nullable=True),
        sa.Column("shared", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("built_in_key", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "list IN ('customers', 'members', 'subscribers')", name=op.f("ck_saved_filter_list")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "owner_staff_id"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_saved_filter_staff_shop_id_owner_staff_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_saved_filter")),
    )
    op.create_table(
        "segment",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "created_by"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_segment_staff_shop_id_created_by"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_segment")),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_segment_shop_id_name")),
    )
    op.create_table(
        "sequence_step",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("sequence_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.CheckConstraint("delay_minutes >= 0", name=op.f("ck_sequence_step_delay_minutes")),
        sa.ForeignKeyConstraint(
            ["shop_id", "sequence_id"],
            ["sequence.shop_id", "sequence.id"],
            name=op.f("fk_sequence_step_sequence_shop_id_sequence_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "sequence_id", "position", name=op.f("pk_sequence_step")
        ),
    )
    op.create_table(
        "staff_merged_page",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("page_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id", "page_id"],
            ["page.shop_id", "page.id"],
            name=op.f("fk_staff_merged_page_page_shop_id_page_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "staff_id"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_staff_merged_page_staff_shop_id_staff_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "staff_id", "page_id", name=op.f("pk_staff_merged_page")
        ),
    )
    op.create_table(
        "subscriber",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("page_id", sa.BigInteger(), nullable=False),
        sa.Column("platform_user_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("subscribed", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("last_interaction_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column(
            "signed_up_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column("gender", sa.Text(), server_default="unknown", nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("phone_normalized", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("email_normalized", sa.Text(), nullable=True),
        sa.Column("store_name", sa.Text(), nullable=True),
        sa.Column("store_code", sa.Text(), nullable=True),
        sa.Column("customer_code", sa.Text(), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("last_source", sa.Text(), nullable=True),
        sa.Column("last_page_source", sa.Text(), nullable=True),
        sa.Column("utm_source", sa.Text(), nullable=True),
        sa.Column("utm_medium", sa.Text(), nullable=True),
        sa.Column("utm_campaign", sa.Text(), nullable=True),
        sa.Column(
            "full_name_folded",
            sa.Text(),
            sa.Computed("vn_fold(full_name)", persisted=True),
            nullable=True,
        ),
        sa.CheckConstraint(
            "gender IN ('female', 'male', 'unknown')", name=op.f("ck_subscriber_gender")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_subscriber_customer_shop_id_customer_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "page_id"],
            ["page.shop_id", "page.id"],
            name=op.f("fk_subscriber_page_shop_id_page_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_subscriber")),
        sa.UniqueConstraint(
            "shop_id",
            "page_id",
            "platform_user_id",
            name=op.f("uq_subscriber_shop_id_page_id_platform_user_id"),
        ),
    )
    op.create_index(
        "ix_subscriber_customer", "subscriber", ["shop_id", "customer_id"], unique=False
    )
    op.create_index(
        "ix_subscriber_email", "subscriber", ["shop_id", "email_normalized"], unique=False
    )
    op.create_index(
        "ix_subscriber_phone", "subscriber", ["shop_id", "phone_normalized"], unique=False
    )
    op.create_index(
        "uq_subscriber_external_id",
        "subscriber",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "tag_folder",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("page_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id", "page_id"],
            ["page.shop_id", "page.id"],
            name=op.f("fk_tag_folder_page_shop_id_page_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_tag_folder")),
        sa.UniqueConstraint(
            "shop_id",
            "page_id",
            "name",
            name=op.f("uq_tag_folder_shop_id_page_id_name"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("delivered_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')", name=op.f("ck_webhook_delivery_status")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "event_id"],
            ["event_outbox.shop_id", "event_outbox.id"],
            name=op.f("fk_webhook_delivery_event_outbox_shop_id_event_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscription_id"],
            ["webhook_subscription.shop_id", "webhook_subscription.id"],
            name=op.f("fk_webhook_delivery_webhook_subscription_shop_id_subscription_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint(
            "shop_id",
            "event_id",
            "subscription_id",
            name=op.f("uq_webhook_delivery_shop_id_event_id_subscription_id"),
        ),
    )
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["shop_id", "status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "custom_field_value",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("field_id", sa.BigInteger(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Numeric(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column(
            "value_folded",
            sa.Text(),
            sa.Computed("vn_fold(value_text)", persisted=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "field_id"],
            ["custom_field.shop_id", "custom_field.id"],
            name=op.f("fk_custom_field_value_custom_field_shop_id_field_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_custom_field_value_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "subscriber_id", "field_id", name=op.f("pk_custom_field_value")
        ),
    )
    op.create_table(
        "offer_use",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_code", sa.Text(), nullable=False),
        sa.Column("offer_name", sa.Text(), nullable=False),
        sa.Column("used_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id", "member_id"],
            ["member.shop_id", "member.id"],
            name=op.f("fk_offer_use_member_shop_id_member_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_offer_use")),
    )
    op.create_index(
        "ix_offer_use_member", "offer_use", ["shop_id", "member_id", "used_at"], unique=False
    )
    op.create_table(
        "order_line",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=0), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_order_line_amount")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_line_quantity")),
        sa.ForeignKeyConstraint(
            ["shop_id", "order_id"],
            ["order.shop_id", "order.id"],
            name=op.f("fk_order_line_order_shop_id_order_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["product.shop_id", "product.id"],
            name=op.f("fk_order_line_product_shop_id_product_id"),
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_order_line")),
    )
    op.create_index("ix_order_line_order", "order_line", ["shop_id", "order_id"], unique=False)
    op.create_index("ix_order_line_product", "order_line", ["shop_id", "product_id"], unique=False)
    op.create_table(
        "otn_subscription",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column(
            "subscribed_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_otn_subscription_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "subscriber_id", "topic", name=op.f("pk_otn_subscription")
        ),
    )
    op.create_table(
        "point_entry",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("occurred_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("available_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('earn', 'spend', 'expire', 'adjust')", name=op.f("ck_point_entry_kind")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "member_id"],
            ["member.shop_id", "member.id"],
            name=op.f("fk_point_entry_member_shop_id_member_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_point_entry")),
    )
    op.create_index("ix_point_entry_member", "point_entry", ["shop_id", "member_id"], unique=False)
    op.create_index(
        "uq_point_entry_external_id",
        "point_entry",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "ref_link_open",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column(
            "opened_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_ref_link_open_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "subscriber_id", "ref", name=op.f("pk_ref_link_open")),
    )
    op.create_table(
        "segment_member",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("segment_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "entered_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_segment_member_customer_shop_id_customer_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "segment_id"],
            ["segment.shop_id", "segment.id"],
            name=op.f("fk_segment_member_segment_shop_id_segment_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "segment_id", "customer_id", name=op.f("pk_segment_member")
        ),
    )
    op.create_table(
        "tag",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("page_id", sa.BigInteger(), nullable=True),
        sa.Column("folder_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("color", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "name_folded", sa.Text(), sa.Computed("vn_fold(name)", persisted=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "folder_id"],
            ["tag_folder.shop_id", "tag_folder.id"],
            name=op.f("fk_tag_tag_folder_shop_id_folder_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "page_id"],
            ["page.shop_id", "page.id"],
            name=op.f("fk_tag_page_shop_id_page_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_tag")),
        sa.UniqueConstraint(
            "shop_id",
            "page_id",
            "name",
            name=op.f("uq_tag_shop_id_page_id_name"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_tag_folder", "tag", ["shop_id", "folder_id"], unique=False)
    op.create_table(
        "thread",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("page_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), server_default="message", nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("phone_normalized", sa.Text(), nullable=True),
        sa.Column("unread_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("assigned_staff_id", sa.BigInteger(), nullable=True),
        sa.Column("chatbot_paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("has_order", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_message_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('facebook', 'instagram', 'zalo', 'shopee')", name=op.f("ck_thread_channel")
        ),
        sa.CheckConstraint("kind IN ('message', 'comment')", name=op.f("ck_thread_kind")),
        sa.CheckConstraint("unread_count >= 0", name=op.f("ck_thread_unread_count")),
        sa.ForeignKeyConstraint(
            ["shop_id", "assigned_staff_id"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_thread_staff_shop_id_assigned_staff_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_thread_customer_shop_id_customer_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "page_id"],
            ["page.shop_id", "page.id"],
            name=op.f("fk_thread_page_shop_id_page_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_thread_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_thread")),
    )
    op.create_index("ix_thread_customer", "thread", ["shop_id", "customer_id"], unique=False)
    op.create_index(
        "ix_thread_recent",
        "thread",
        ["shop_id", sa.literal_column("last_message_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("ix_thread_subscriber", "thread", ["shop_id", "subscriber_id"], unique=False)
    op.create_index(
        "uq_thread_external_id",
        "thread",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "webhook_attempt",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("delivery_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "attempted_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "delivery_id"],
            ["webhook_delivery.shop_id", "webhook_delivery.id"],
            name=op.f("fk_webhook_attempt_webhook_delivery_shop_id_delivery_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_webhook_attempt")),
    )
    op.create_table(
        "automation_rule",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("sequence_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "sequence_id"],
            ["sequence.shop_id", "sequence.id"],
            name=op.f("fk_automation_rule_sequence_shop_id_sequence_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "tag_id"],
            ["tag.shop_id", "tag.id"],
            name=op.f("fk_automation_rule_tag_shop_id_tag_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_automation_rule")),
        sa.UniqueConstraint(
            "shop_id",
            "tag_id",
            "sequence_id",
            name=op.f("uq_automation_rule_shop_id_tag_id_sequence_id"),
        ),
    )
    op.create_table(
        "customer_tag",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "tagged_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tagged_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "customer_id"],
            ["customer.shop_id", "customer.id"],
            name=op.f("fk_customer_tag_customer_shop_id_customer_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "tag_id"],
            ["tag.shop_id", "tag.id"],
            name=op.f("fk_customer_tag_tag_shop_id_tag_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "customer_id", "tag_id", name=op.f("pk_customer_tag")),
    )
    op.create_index(
        "ix_customer_tag_tag", "customer_tag", ["shop_id", "tag_id", "customer_id"], unique=False
    )
    op.create_table(
        "message",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), server_default="text", nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("sent_by_staff_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_message_direction")),
        sa.CheckConstraint(
            "type IN ('text', 'image', 'emoji', 'sticker', 'file')", name=op.f("ck_message_type")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "sent_by_staff_id"],
            ["staff.shop_id", "staff.id"],
            name=op.f("fk_message_staff_shop_id_sent_by_staff_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "thread_id"],
            ["thread.shop_id", "thread.id"],
            name=op.f("fk_message_thread_shop_id_thread_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_message")),
    )
    op.create_index(
        "ix_message_thread", "message", ["shop_id", "thread_id", "sent_at"], unique=False
    )
    op.create_index(
        "uq_message_external_id",
        "message",
        ["shop_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "subscriber_tag",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "tagged_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tagged_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_subscriber_tag_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "tag_id"],
            ["tag.shop_id", "tag.id"],
            name=op.f("fk_subscriber_tag_tag_shop_id_tag_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "subscriber_id", "tag_id", name=op.f("pk_subscriber_tag")
        ),
    )
    op.create_index(
        "ix_subscriber_tag_tag",
        "subscriber_tag",
        ["shop_id", "tag_id", "subscriber_id"],
        unique=False,
    )
    op.create_table(
        "thread_tag",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "tagged_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tagged_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "tag_id"],
            ["tag.shop_id", "tag.id"],
            name=op.f("fk_thread_tag_tag_shop_id_tag_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "thread_id"],
            ["thread.shop_id", "thread.id"],
            name=op.f("fk_thread_tag_thread_shop_id_thread_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "thread_id", "tag_id", name=op.f("pk_thread_tag")),
    )
    op.create_index(
        "ix_thread_tag_tag", "thread_tag", ["shop_id", "tag_id", "thread_id"], unique=False
    )
    op.create_table(
        "sequence_enrolment",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sequence_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Text(), server_default="running", nullable=False),
        sa.Column(
            "enrolled_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'cancelled')",
            name=op.f("ck_sequence_enrolment_status"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "rule_id"],
            ["automation_rule.shop_id", "automation_rule.id"],
            name=op.f("fk_sequence_enrolment_automation_rule_shop_id_rule_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "sequence_id"],
            ["sequence.shop_id", "sequence.id"],
            name=op.f("fk_sequence_enrolment_sequence_shop_id_sequence_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "subscriber_id"],
            ["subscriber.shop_id", "subscriber.id"],
            name=op.f("fk_sequence_enrolment_subscriber_shop_id_subscriber_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "thread_id"],
            ["thread.shop_id", "thread.id"],
            name=op.f("fk_sequence_enrolment_thread_shop_id_thread_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("shop_id", "id", name=op.f("pk_sequence_enrolment")),
    )
    op.create_index(
        "ix_enrolment_subscriber", "sequence_enrolment", ["shop_id", "subscriber_id"], unique=False
    )
    op.create_index(
        "uq_sequence_enrolment_running",
        "sequence_enrolment",
        ["shop_id", "sequence_id", "subscriber_id"],
        unique=True,
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_table(
        "scheduled_step",
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("enrolment_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'held', 'due', 'done', 'cancelled')",
            name=op.f("ck_scheduled_step_status"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "enrolment_id"],
            ["sequence_enrolment.shop_id", "sequence_enrolment.id"],
            name=op.f("fk_scheduled_step_sequence_enrolment_shop_id_enrolment_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "enrolment_id", "position", name=op.f("pk_scheduled_step")
        ),
    )
    op.create_index(
        "ix_scheduled_step_due", "scheduled_step", ["shop_id", "status", "due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_step_due", table_name="scheduled_step")
    op.drop_table("scheduled_step")
    op.drop_index(
        "uq_sequence_enrolment_running",
        table_name="sequence_enrolment",
        postgresql_where=sa.text("status = 'running'"),
    )
    op.drop_index("ix_enrolment_subscriber", table_name="sequence_enrolment")
    op.drop_table("sequence_enrolment")
    op.drop_index("ix_thread_tag_tag", table_name="thread_tag")
    op.drop_table("thread_tag")
    op.drop_index("ix_subscriber_tag_tag", table_name="subscriber_tag")
    op.drop_table("subscriber_tag")
    op.drop_index(
        "uq_message_external_id",
        table_name="message",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_message_thread", table_name="message")
    op.drop_table("message")
    op.drop_index("ix_customer_tag_tag", table_name="customer_tag")
    op.drop_table("customer_tag")
    op.drop_table("automation_rule")
    op.drop_table("webhook_attempt")
    op.drop_index(
        "uq_thread_external_id",
        table_name="thread",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_thread_subscriber", table_name="thread")
    op.drop_index("ix_thread_recent", table_name="thread")
    op.drop_index("ix_thread_customer", table_name="thread")
    op.drop_table("thread")
    op.drop_index("ix_tag_folder", table_name="tag")
    op.drop_table("tag")
    op.drop_table("segment_member")
    op.drop_table("ref_link_open")
    op.drop_index(
        "uq_point_entry_external_id",
        table_name="point_entry",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_point_entry_member", table_name="point_entry")
    op.drop_table("point_entry")
    op.drop_table("otn_subscription")
    op.drop_index("ix_order_line_product", table_name="order_line")
    op.drop_index("ix_order_line_order", table_name="order_line")
    op.drop_table("order_line")
    op.drop_index("ix_offer_use_member", table_name="offer_use")
    op.drop_table("offer_use")
    op.drop_table("custom_field_value")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("tag_folder")
    op.drop_index(
        "uq_subscriber_external_id",
        table_name="subscriber",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_subscriber_phone", table_name="subscriber")
    op.drop_index("ix_subscriber_email", table_name="subscriber")
    op.drop_index("ix_subscriber_customer", table_name="subscriber")
    op.drop_table("subscriber")
    op.drop_table("staff_merged_page")
    op.drop_table("sequence_step")
    op.drop_table("segment")
    op.drop_table("saved_filter")
    op.drop_index(
        "uq_order_external_id",
        table_name="order",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_order_customer", table_name="order")
    op.drop_table("order")
    op.drop_index(
        "uq_member_external_id",
        table_name="member",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_member_tier", table_name="member")
    op.drop_table("member")
    op.drop_table("api_token")
    op.drop_table("webhook_subscription")
    op.drop_table("store")
    op.drop_table("staff")
    op.drop_table("sequence")
    op.drop_table("product")
    op.drop_table("page")
    op.drop_table("loyalty_tier")
    op.drop_table("event_outbox")
    op.drop_index(
        "uq_customer_external_id",
        table_name="customer",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_customer_phone", table_name="customer")
    op.drop_index("ix_customer_email", table_name="customer")
    op.drop_table("customer")
    op.drop_table("custom_field")
    op.drop_table("shop")
    op.execute("DROP FUNCTION vn_fold(text)")
