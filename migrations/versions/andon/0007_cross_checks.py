"""Cross-service reconciliation runs: who still owes an answer, and the findings.

Empty after the upgrade: no run asked the other services before.
"""

import sqlalchemy as sa
from alembic import op

revision = "andon_0007"
down_revision = "andon_0006"


def upgrade() -> None:
    op.create_table(
        "cross_check",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("awaiting", sa.Text(), nullable=False),
        sa.Column("after_order", sa.String(length=36), nullable=True),
        sa.Column("through_order", sa.String(length=36), nullable=True),
        sa.Column("checked", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_cross_check")),
    )
    op.create_index("ix_cross_check_requested_at", "cross_check", ["requested_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cross_check_requested_at", table_name="cross_check")
    op.drop_table("cross_check")
