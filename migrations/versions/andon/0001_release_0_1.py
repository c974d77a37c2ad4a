"""The andon schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "andon_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
    op.create_table(
        "andon_pull",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("pulled_by", sa.String(length=200), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("departments", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("pullers", sa.Text(), nullable=False),
        sa.Column("pull_count", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("seconds_to_resolve", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_andon_pull")),
    )
    op.create_index(op.f("ix_andon_pull_target_id"), "andon_pull", ["target_id"], unique=False)
    op.create_index(op.f("ix_andon_pull_target_kind"), "andon_pull", ["target_kind"], unique=False)
    op.create_table(
        "awaited_hand_off",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_floor", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "step", name=op.f("pk_awaited_hand_off")),
    )
    op.create_table(
        "gap",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("expected_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pull_id", sa.String(length=36), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "step", name=op.f("pk_gap")),
    )
    op.create_table(
        "order_hold",
        sa.Column("hold", sa.String(length=60), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("hold", "order_id", name=op.f("pk_order_hold")),
    )
    op.create_table(
        "watched_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_watched_order")),
    )
    op.create_index(
        op.f("ix_watched_order_customer_id"), "watched_order", ["customer_id"], unique=False
    )
    op.create_table(
        "watched_order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_watched_order_line")),
    )
    op.create_index(op.f("ix_watched_order_line_sku"), "watched_order_line", ["sku"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_watched_order_line_sku"), table_name="watched_order_line")
    op.drop_table("watched_order_line")
    op.drop_index(op.f("ix_watched_order_customer_id"), table_name="watched_order")
    op.drop_table("watched_order")
    op.drop_table("order_hold")
    op.drop_table("gap")
    op.drop_table("awaited_hand_off")
    op.drop_index(op.f("ix_andon_pull_target_kind"), table_name="andon_pull")
    op.drop_index(op.f("ix_andon_pull_target_id"), table_name="andon_pull")
    op.drop_table("andon_pull")
    drop_platform_tables_0_1()
