"""The credit schema of release 0.1 (it created these tables at start, without migrations).

Revision ID: credit_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "credit_0001"
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
        "credit_account",
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("credit_light", sa.String(length=10), nullable=True),
        sa.Column("credit_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("review_threshold_cents", sa.BigInteger(), nullable=False),
        sa.Column("exposure_cents", sa.BigInteger(), nullable=False),
        sa.Column("open_reviews", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_credit_account")),
    )
    op.create_table(
        "credit_order",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_credit_order")),
    )
    op.create_table(
        "credit_review",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("review_no", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exposure_at_request_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "review_no", name=op.f("pk_credit_review")),
    )
    op.create_index(
        op.f("ix_credit_review_customer_id"), "credit_review", ["customer_id"], unique=False
    )
    op.create_index(op.f("ix_credit_review_status"), "credit_review", ["status"], unique=False)
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
    op.drop_index(op.f("ix_credit_review_status"), table_name="credit_review")
    op.drop_index(op.f("ix_credit_review_customer_id"), table_name="credit_review")
    op.drop_table("credit_review")
    op.drop_table("credit_order")
    op.drop_table("credit_account")
    op.drop_table("aggregate_snapshot")
