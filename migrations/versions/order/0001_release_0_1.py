"""The order schema of release 0.1 (it created these tables at start, without migrations).

Revision ID: order_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "order_0001"
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
        "andon_hold",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", "order_id", name=op.f("pk_andon_hold")),
    )
    op.create_table(
        "catalog_item",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("item_class", sa.String(length=1), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_catalog_item")),
    )
    op.create_table(
        "customer",
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_light", sa.String(length=10), nullable=False),
        sa.Column("credit_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("review_threshold_cents", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("customer_class", sa.String(length=1), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("exposure_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("channel", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "open_andon_pull",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_open_andon_pull")),
    )
    op.create_index(
        "ix_open_andon_pull_target", "open_andon_pull", ["target_kind", "target_id"], unique=False
    )
    op.create_table(
        "order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_order_line")),
    )
    op.create_index(
        "ix_order_line_customer_sku",
        "order_line",
        ["customer_id", "sku", "placed_at"],
        unique=False,
    )
    op.create_index("ix_order_line_sku", "order_line", ["sku"], unique=False)
    op.create_table(
        "order_summary",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("holds", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("segment", sa.String(length=2), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_summary")),
    )
    op.create_index("ix_order_summary_confirm_by", "order_summary", ["confirm_by"], unique=False)
    op.create_index(
        "ix_order_summary_customer", "order_summary", ["customer_id", "placed_at"], unique=False
    )
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
    op.drop_table("processed_message")
    op.drop_index(
        "ix_outbox_message_unpublished",
        table_name="outbox_message",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("outbox_message")
    op.drop_index("ix_order_summary_customer", table_name="order_summary")
    op.drop_index("ix_order_summary_confirm_by", table_name="order_summary")
    op.drop_table("order_summary")
    op.drop_index("ix_order_line_sku", table_name="order_line")
    op.drop_index("ix_order_line_customer_sku", table_name="order_line")
    op.drop_table("order_line")
    op.drop_index("ix_open_andon_pull_target", table_name="open_andon_pull")
    op.drop_table("open_andon_pull")
    op.drop_table("idempotency_record")
    op.drop_table("customer")
    op.drop_table("catalog_item")
    op.drop_table("andon_hold")
    op.drop_table("aggregate_snapshot")
