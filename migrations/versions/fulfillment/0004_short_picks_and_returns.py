"""Short picks: what each shipment came up short of.

Revision ID: fulfillment_0004
Revises: fulfillment_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "fulfillment_0004"
down_revision = "fulfillment_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Shipments confirmed before short picks existed shipped in full: nothing short.
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(sa.Column("short_lines", sa.Text(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("short_lines")
