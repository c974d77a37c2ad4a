"""Change feed and cursor paging of returns: a change mark and page indexes.

Returns already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: fulfillment_0007
Revises: fulfillment_0006
"""

from alembic import op

from migrations.steps import add_change_marks, drop_change_marks

revision = "fulfillment_0007"
down_revision = "fulfillment_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_change_marks("customer_return", ["return_id"])
    op.create_index(
        "ix_customer_return_authorised_at",
        "customer_return",
        ["authorised_at", "return_id"],
        unique=False,
    )
    op.create_index(
        "ix_customer_return_status_authorised_at",
        "customer_return",
        ["status", "authorised_at", "return_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_customer_return_status_authorised_at", table_name="customer_return")
    op.drop_index("ix_customer_return_authorised_at", table_name="customer_return")
    drop_change_marks("customer_return")
