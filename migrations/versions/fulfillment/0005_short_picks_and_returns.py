"""Short picks and returns: what each shipment came up short of, customer returns, credit notes
and what they credited on each invoice.

Empty (or zero) after the upgrade: shipments and invoices before it had no short pick and no
credit note; `gapless replay rebuild fulfillment` fills the new tables from the event store.
"""

import sqlalchemy as sa
from alembic import op

revision = "fulfillment_0005"
down_revision = "fulfillment_0004"


def upgrade() -> None:
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(sa.Column("short_lines", sa.Text(), server_default="[]", nullable=False))
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(
            sa.Column("credited_cents", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("refunded_cents", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "customer_return",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("return_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("received_lines", sa.Text(), nullable=True),
        sa.Column("authorised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("return_id", name=op.f("pk_customer_return")),
    )
    op.create_index("ix_customer_return_order_id", "customer_return", ["order_id"])
    op.create_table(
        "credit_note",
        sa.Column("credit_note_id", sa.String(length=36), nullable=False),
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("applied_cents", sa.Integer(), nullable=False),
        sa.Column("refund_cents", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("credit_note_id", name=op.f("pk_credit_note")),
    )
    op.create_index("ix_credit_note_return_id", "credit_note", ["return_id"])


def downgrade() -> None:
    op.drop_index("ix_credit_note_return_id", table_name="credit_note")
    op.drop_table("credit_note")
    op.drop_index("ix_customer_return_order_id", table_name="customer_return")
    op.drop_table("customer_return")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("refunded_cents")
        batch.drop_column("credited_cents")
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("short_lines")
