"""Change feed and cursor paging of credit reviews: change marks and page indexes.

Rows already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: credit_0005
Revises: credit_0004
"""

from alembic import op

from migrations.steps import (
    add_change_marks,
    create_change_clock,
    drop_change_clock,
    drop_change_marks,
)

revision = "credit_0005"
down_revision = "credit_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()
    add_change_marks("credit_review", ["order_id", "review_no"])
    op.create_index(
        "ix_credit_review_requested_at",
        "credit_review",
        ["requested_at", "order_id", "review_no"],
        unique=False,
    )
    op.create_index(
        "ix_credit_review_status_requested_at",
        "credit_review",
        ["status", "requested_at", "order_id", "review_no"],
        unique=False,
    )
    op.create_index(
        "ix_credit_review_customer_requested_at",
        "credit_review",
        ["customer_id", "requested_at", "order_id", "review_no"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_credit_review_customer_requested_at", table_name="credit_review")
    op.drop_index("ix_credit_review_status_requested_at", table_name="credit_review")
    op.drop_index("ix_credit_review_requested_at", table_name="credit_review")
    drop_change_marks("credit_review")
    drop_change_clock()
