"""Retention and archive: the inbox's age index (the pruning job deletes its oldest rows), the
table of streams moved to an archive file, and the answers kept for archived orders.
"""

import sqlalchemy as sa
from alembic import op

from migrations.steps import add_retention_and_archive, drop_retention_and_archive

revision = "order_0008"
down_revision = "order_0007"


def upgrade() -> None:
    add_retention_and_archive()
    op.create_table(
        "archived_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("details", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_archived_order")),
    )


def downgrade() -> None:
    op.drop_table("archived_order")
    drop_retention_and_archive()
