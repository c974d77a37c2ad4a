"""The credit schema of release 0.1 (it created these tables at start, without migrations)."""

import sqlalchemy as sa
from alembic import op

from migrations.steps import create_platform_tables_0_1, drop_platform_tables_0_1

revision = "credit_0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables_0_1()
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


def downgrade() -> None:
    op.drop_index(op.f("ix_credit_review_status"), table_name="credit_review")
    op.drop_index(op.f("ix_credit_review_customer_id"), table_name="credit_review")
    op.drop_table("credit_review")
    op.drop_table("credit_order")
    op.drop_table("credit_account")
    drop_platform_tables_0_1()
