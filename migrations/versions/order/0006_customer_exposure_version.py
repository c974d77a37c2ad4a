"""A customer's exposure remembers the credit account version it came from, so a credit answer
that arrives after a newer one (another order's, on another partition) never overwrites it.

Empty for the customers of earlier revisions: their next answer sets it.
"""

import sqlalchemy as sa
from alembic import op

revision = "order_0006"
down_revision = "order_0005"


def upgrade() -> None:
    op.add_column("customer", sa.Column("exposure_version", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("customer", "exposure_version")
