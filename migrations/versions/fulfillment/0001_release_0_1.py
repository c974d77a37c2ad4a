"""The fulfillment schema of release 0.1 (it created these tables at start, without migrations).

Revision ID: fulfillment_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "fulfillment_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aggregate_snapshot",
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", name=op.f("pk_aggregate_snapshot")),
    )
    op.create_table(
        "invoice",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice")),
    )
    op.create_index("ix_invoice_order_id", "invoice", ["order_id"], unique=False)
    op.create_table(
        "outbox_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_message_event_id")),
    )
    op.create_index(
        "ix_outbox_message_unpublished",
        "outbox_message",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "pick_stop",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_pick_stop")),
    )
    op.create_table(
        "processed_message",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_processed_message")),
    )
    op.create_table(
        "shipment",
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("release_no", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wave_id", sa.String(length=36), nullable=True),
        sa.Column("carrier", sa.String(length=200), nullable=True),
        sa.Column("tracking_number", sa.String(length=200), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pick_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_shipment")),
    )
    op.create_index("ix_shipment_order_id", "shipment", ["order_id"], unique=False)
    op.create_index(
        "ix_shipment_wave_order", "shipment", ["status", "priority", "deadline"], unique=False
    )
    op.create_table(
        "shipment_hold",
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", "pull_id", name=op.f("pk_shipment_hold")),
    )
    op.create_index("ix_shipment_hold_pull_id", "shipment_hold", ["pull_id"], unique=False)
    op.create_table(
        "stored_event",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("stream_type", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("event_version", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.Text().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.Text().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_stored_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_stored_event_event_id")),
        sa.UniqueConstraint("stream_id", "version", name=op.f("uq_stored_event_stream_id")),
    )
    op.create_index("ix_stored_event_occurred_at", "stored_event", ["occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stored_event_occurred_at", table_name="stored_event")
    op.drop_table("stored_event")
    op.drop_index("ix_shipment_hold_pull_id", table_name="shipment_hold")
    op.drop_table("shipment_hold")
    op.drop_index("ix_shipment_wave_order", table_name="shipment")
    op.drop_index("ix_shipment_order_id", table_name="shipment")
    op.drop_table("shipment")
    op.drop_table("processed_message")
    op.drop_table("pick_stop")
    op.drop_index(
        "ix_outbox_message_unpublished",
        table_name="outbox_message",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("outbox_message")
    op.drop_index("ix_invoice_order_id", table_name="invoice")
    op.drop_table("invoice")
    op.drop_table("aggregate_snapshot")
