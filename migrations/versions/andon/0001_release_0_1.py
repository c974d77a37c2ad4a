"""The andon schema of release 0.1 (it created these tables at start, without migrations).

Revision ID: andon_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "andon_0001"
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
        "andon_pull",
        sa.Column("pull_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("pulled_by", sa.String(length=200), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("departments", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("pullers", sa.Text(), nullable=False),
        sa.Column("pull_count", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("seconds_to_resolve", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("pull_id", name=op.f("pk_andon_pull")),
    )
    op.create_index(op.f("ix_andon_pull_target_id"), "andon_pull", ["target_id"], unique=False)
    op.create_index(op.f("ix_andon_pull_target_kind"), "andon_pull", ["target_kind"], unique=False)
    op.create_table(
        "awaited_hand_off",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_floor", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "step", name=op.f("pk_awaited_hand_off")),
    )
    op.create_table(
        "gap",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("expected_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pull_id", sa.String(length=36), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "step", name=op.f("pk_gap")),
    )
    op.create_table(
        "order_hold",
        sa.Column("hold", sa.String(length=60), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("hold", "order_id", name=op.f("pk_order_hold")),
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
    op.create_table(
        "watched_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_watched_order")),
    )
    op.create_index(
        op.f("ix_watched_order_customer_id"), "watched_order", ["customer_id"], unique=False
    )
    op.create_table(
        "watched_order_line",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_watched_order_line")),
    )
    op.create_index(op.f("ix_watched_order_line_sku"), "watched_order_line", ["sku"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_watched_order_line_sku"), table_name="watched_order_line")
    op.drop_table("watched_order_line")
    op.drop_index(op.f("ix_watched_order_customer_id"), table_name="watched_order")
    op.drop_table("watched_order")
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
    op.drop_table("order_hold")
    op.drop_table("gap")
    op.drop_table("awaited_hand_off")
    op.drop_index(op.f("ix_andon_pull_target_kind"), table_name="andon_pull")
    op.drop_index(op.f("ix_andon_pull_target_id"), table_name="andon_pull")
    op.drop_table("andon_pull")
    op.drop_table("aggregate_snapshot")
