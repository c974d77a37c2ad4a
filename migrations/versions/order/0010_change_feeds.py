"""Change feeds and cursor paging of GET /v1/orders: change marks and the indexes of each page.

Rows already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: order_0010
Revises: order_0009
"""

from alembic import op

from migrations.steps import (
    add_change_marks,
    create_change_clock,
    drop_change_clock,
    drop_change_marks,
)

revision = "order_0010"
down_revision = "order_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()
    add_change_marks("order_summary", ["order_id"])
    op.create_index(
        "ix_order_summary_placed_at", "order_summary", ["placed_at", "order_id"], unique=False
    )
    op.create_index(
        "ix_order_summary_status_placed_at",
        "order_summary",
        ["status", "placed_at", "order_id"],
        unique=False,
    )
    op.create_index(
        "ix_order_summary_channel_placed_at",
        "order_summary",
        ["channel", "placed_at", "order_id"],
        unique=False,
    )
    op.create_index(
        "ix_order_summary_channel_change_mark",
        "order_summary",
        ["channel", "change_mark", "order_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_order_summary_channel_change_mark", table_name="order_summary")
    op.drop_index("ix_order_summary_channel_placed_at", table_name="order_summary")
    op.drop_index("ix_order_summary_status_placed_at", table_name="order_summary")
    op.drop_index("ix_order_summary_placed_at", table_name="order_summary")
    drop_change_marks("order_summary")
    drop_change_clock()
