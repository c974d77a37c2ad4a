"""The order service's KPI read models (GET /v1/kpis, the ops console).

Empty after the upgrade: `gapless replay rebuild order` fills them from the event store.
"""

import sqlalchemy as sa
from alembic import op

revision = "order_0004"
down_revision = "order_0003"


def upgrade() -> None:
    op.create_table(
        "kpi_cohort",
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("customer_class", sa.String(length=1), nullable=False),
        sa.Column("orders", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("entry_ms", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("released", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("processing_ms", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("released_on_time", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("pick_requested", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("pick_ms", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("shipped", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cycle_ms", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("shipped_on_time", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("delivered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("delivery_ms", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_orders", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_orders_full", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_units_ordered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_units_shipped", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_lines", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fill_lines_full", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_time_filled", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("invoices", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("invoices_accurate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orders_accurate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("perfect", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cancelled", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rejected", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("backordered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lines_ordered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("stockout_lines", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("exceptions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_pattern_check", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_credit_review", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_backorder", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("holds_andon", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("hold_ms_pattern_check", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("hold_ms_credit_review", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("hold_ms_backorder", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("hold_ms_andon", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "hour", "segment", "channel", "customer_class", name=op.f("pk_kpi_cohort")
        ),
    )
    op.create_table(
        "kpi_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("customer_class", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_kpi_order")),
    )
    op.create_table(
        "kpi_status",
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_kpi_status")),
    )
    op.create_table(
        "kpi_step",
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("customer_class", sa.String(length=1), nullable=False),
        sa.Column("released", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("shipped", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completed", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "hour", "segment", "channel", "customer_class", name=op.f("pk_kpi_step")
        ),
    )
    op.create_table(
        "kpi_total",
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "label", name=op.f("pk_kpi_total")),
    )


def downgrade() -> None:
    op.drop_table("kpi_total")
    op.drop_table("kpi_step")
    op.drop_table("kpi_status")
    op.drop_table("kpi_order")
    op.drop_table("kpi_cohort")
