"""Returned units inspection keeps apart (quarantined): a column of each SKU's stock level.

Zero after the upgrade: nothing was returned into stock before.
"""

import sqlalchemy as sa
from alembic import op

revision = "inventory_0005"
down_revision = "inventory_0004"


def upgrade() -> None:
    with op.batch_alter_table("stock_level") as batch:
        batch.add_column(sa.Column("quarantined", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stock_level") as batch:
        batch.drop_column("quarantined")
