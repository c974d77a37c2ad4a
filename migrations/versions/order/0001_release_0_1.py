"""The order schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "order_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
    op.create_table(
        "andon_hold",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", "order_id", name=op.f("pk_andon_hold")),
    )
    op.create_table(
        "catalog_item",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("item_class", sa.String(length=1), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_catalog_item")),
    )
    op.create_table(
        "customer",
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_light", sa.String(length=10), nullable=False),
        sa.Column("credit_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("review_threshold_cents", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("customer_class", sa.String(length=1), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("exposure_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("channel", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "open_andon_pull",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_open_andon_pull")),
    )
    op.create_index(
        "ix_open_andon_pull_target", "open_andon_pull", ["target_kind", "target_id"], unique=False
    )
    op.create_table(
        "order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_order_line")),
    )
    op.create_index(
        "ix_order_line_customer_sku",
        "order_line",
        ["customer_id", "sku", "placed_at"],
        unique=False,
    )
    op.create_index("ix_order_line_sku", "order_line", ["sku"], unique=False)
    op.create_table(
        "order_summary",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("holds", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("segment", sa.String(length=2), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_summary")),
    )
    op.create_index("ix_order_summary_confirm_by", "order_summary", ["confirm_by"], unique=False)
    op.create_index(
        "ix_order_summary_customer", "order_summary", ["customer_id", "placed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_order_summary_customer", table_name="order_summary")
    op.drop_index("ix_order_summary_confirm_by", table_name="order_summary")
    op.drop_table("order_summary")
    op.drop_index("ix_order_line_sku", table_name="order_line")
    op.drop_index("ix_order_line_customer_sku", table_name="order_line")
    op.drop_table("order_line")
    op.drop_index("ix_open_andon_pull_target", table_name="open_andon_pull")
    op.drop_table("open_andon_pull")
    op.drop_table("idempotency_record")
    op.drop_table("customer")
    op.drop_table("catalog_item")
    op.drop_table("andon_hold")
    drop_platform_tables_0_1()
