"""The fulfillment schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "fulfillment_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
    op.create_table(
        "invoice",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice")),
    )
    op.create_index("ix_invoice_order_id", "invoice", ["order_id"], unique=False)
    op.create_table(
        "pick_stop",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_pick_stop")),
    )
    op.create_table(
        "shipment",
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("release_no", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wave_id", sa.String(length=36), nullable=True),
        sa.Column("carrier", sa.String(length=200), nullable=True),
        sa.Column("tracking_number", sa.String(length=200), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pick_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_shipment")),
    )
    op.create_index("ix_shipment_order_id", "shipment", ["order_id"], unique=False)
    op.create_index(
        "ix_shipment_wave_order", "shipment", ["status", "priority", "deadline"], unique=False
    )
    op.create_table(
        "shipment_hold",
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", "pull_id", name=op.f("pk_shipment_hold")),
    )
    op.create_index("ix_shipment_hold_pull_id", "shipment_hold", ["pull_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shipment_hold_pull_id", table_name="shipment_hold")
    op.drop_table("shipment_hold")
    op.drop_index("ix_shipment_wave_order", table_name="shipment")
    op.drop_index("ix_shipment_order_id", table_name="shipment")
    op.drop_table("shipment")
    op.drop_table("pick_stop")
    op.drop_index("ix_invoice_order_id", table_name="invoice")
    op.drop_table("invoice")
    drop_platform_tables_0_1()
