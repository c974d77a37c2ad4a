"""The inventory schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "inventory_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
    op.create_table(
        "stock_level",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("backordered", sa.Integer(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_stock_level")),
    )
    op.create_table(
        "stock_order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("backordered", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=40), nullable=False),
        sa.Column("arrival", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_stock_order_line")),
    )
    op.create_table(
        "stock_sale_stop",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("sku", "pull_id", name=op.f("pk_stock_sale_stop")),
    )


def downgrade() -> None:
    op.drop_table("stock_sale_stop")
    op.drop_table("stock_order_line")
    op.drop_table("stock_level")
    drop_platform_tables_0_1()
