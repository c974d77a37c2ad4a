"""The improvement loop's items (root cause, countermeasure, owner, audit date).

Empty after the upgrade: release 0.1 had no improvement items.
"""

import sqlalchemy as sa
from alembic import op

revision = "andon_0003"
down_revision = "andon_0002"


def upgrade() -> None:
    op.create_table(
        "improvement_item",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause_code", sa.String(length=60), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("countermeasure", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("orders_affected", sa.Integer(), nullable=False),
        sa.Column("audits", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_improvement_item")),
    )
    op.create_index(
        "ix_improvement_item_cause",
        "improvement_item",
        ["category", "cause_code", "pulled_at"],
        unique=False,
    )
    op.create_index(
        "ix_improvement_item_due", "improvement_item", ["status", "audit_at"], unique=False
    )
    op.create_index("ix_improvement_item_fixed", "improvement_item", ["fixed_at"], unique=False)
    op.create_index(
        "ix_improvement_item_target",
        "improvement_item",
        ["target_kind", "target_id", "category"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_improvement_item_target", table_name="improvement_item")
    op.drop_index("ix_improvement_item_fixed", table_name="improvement_item")
    op.drop_index("ix_improvement_item_due", table_name="improvement_item")
    op.drop_index("ix_improvement_item_cause", table_name="improvement_item")
    op.drop_table("improvement_item")
