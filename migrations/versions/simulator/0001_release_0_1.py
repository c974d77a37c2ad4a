"""The simulator schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "simulator_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
    op.create_table(
        "simulator_task",
        sa.Column("task_id", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_simulator_task")),
    )
    op.create_index("ix_simulator_task_due", "simulator_task", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_simulator_task_due", table_name="simulator_task")
    op.drop_table("simulator_task")
    drop_platform_tables_0_1()
