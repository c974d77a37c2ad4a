"""A channel's own order id is remembered, so a retry under a new Idempotency-Key finds the order.

Orders placed before this revision are remembered too, from the idempotency records and the
order summaries, so their retries are recognised as well.
"""

import sqlalchemy as sa
from alembic import op

revision = "order_0003"
down_revision = "order_0002"


def upgrade() -> None:
    op.create_table(
        "channel_order_ref",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", name=op.f("pk_channel_order_ref")),
    )
    op.create_index(
        "ix_order_summary_channel_external_id",
        "order_summary",
        ["channel", "external_id"],
        unique=False,
    )
    # Release 0.1 let a retry under a new key place a twin; of such a pair one entry is kept
    # (the smaller order id), as one row per channel and external id is all the table holds.
    op.execute(
        "INSERT INTO channel_order_ref (channel, external_id, request_hash, order_id)"
        " SELECT s.channel, s.external_id, MIN(i.request_hash), MIN(s.order_id)"
        " FROM order_summary s JOIN idempotency_record i ON i.order_id = s.order_id"
        " WHERE s.external_id IS NOT NULL"
        " GROUP BY s.channel, s.external_id"
    )


def downgrade() -> None:
    op.drop_index("ix_order_summary_channel_external_id", table_name="order_summary")
    op.drop_table("channel_order_ref")
