"""Change feeds and cursor paging of shipments and invoices: change marks and page indexes.

Rows already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: fulfillment_0006
Revises: fulfillment_0005
"""

from alembic import op

from migrations.steps import (
    add_change_marks,
    create_change_clock,
    drop_change_clock,
    drop_change_marks,
)

revision = "fulfillment_0006"
down_revision = "fulfillment_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()
    add_change_marks("shipment", ["shipment_id"])
    op.create_index(
        "ix_shipment_planned_at", "shipment", ["planned_at", "shipment_id"], unique=False
    )
    op.create_index(
        "ix_shipment_status_planned_at",
        "shipment",
        ["status", "planned_at", "shipment_id"],
        unique=False,
    )
    op.create_index(
        "ix_shipment_customer_planned_at",
        "shipment",
        ["customer_id", "planned_at", "shipment_id"],
        unique=False,
    )
    add_change_marks("invoice", ["invoice_id"])
    op.create_index("ix_invoice_issued_at", "invoice", ["issued_at", "invoice_id"], unique=False)
    op.create_index(
        "ix_invoice_status_issued_at",
        "invoice",
        ["status", "issued_at", "invoice_id"],
        unique=False,
    )
    op.create_index(
        "ix_invoice_customer_issued_at",
        "invoice",
        ["customer_id", "issued_at", "invoice_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_invoice_customer_issued_at", table_name="invoice")
    op.drop_index("ix_invoice_status_issued_at", table_name="invoice")
    op.drop_index("ix_invoice_issued_at", table_name="invoice")
    drop_change_marks("invoice")
    op.drop_index("ix_shipment_customer_planned_at", table_name="shipment")
    op.drop_index("ix_shipment_status_planned_at", table_name="shipment")
    op.drop_index("ix_shipment_planned_at", table_name="shipment")
    drop_change_marks("shipment")
    drop_change_clock()
