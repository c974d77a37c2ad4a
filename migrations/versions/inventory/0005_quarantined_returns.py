"""Returned units inspection keeps apart (quarantined): a column of each SKU's stock level.

Zero after the upgrade: nothing was returned into stock before.

Revision ID: inventory_0005
Revises: inventory_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "inventory_0005"
down_revision = "inventory_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_level") as batch:
        batch.add_column(sa.Column("quarantined", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stock_level") as batch:
        batch.drop_column("quarantined")
