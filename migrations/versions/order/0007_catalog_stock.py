"""Each SKU's stock as the inventory tells it: the catalogue's available to promise.

Empty after the upgrade: a SKU's row comes with the inventory's next event that moves its stock
(events published before this release carry no level).
"""

import sqlalchemy as sa
from alembic import op

revision = "order_0007"
down_revision = "order_0006"


def upgrade() -> None:
    op.create_table(
        "catalog_stock",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("stock_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_catalog_stock")),
    )


def downgrade() -> None:
    op.drop_table("catalog_stock")
