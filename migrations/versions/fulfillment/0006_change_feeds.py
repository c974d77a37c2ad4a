"""Change feeds and cursor paging of shipments and invoices: change marks and page indexes."""

from migrations.steps import Feed, change_feeds

revision = "fulfillment_0006"
down_revision = "fulfillment_0005"

upgrade, downgrade = change_feeds(
    Feed(
        "shipment",
        ["shipment_id"],
        {
            "ix_shipment_planned_at": ["planned_at", "shipment_id"],
            "ix_shipment_status_planned_at": ["status", "planned_at", "shipment_id"],
            "ix_shipment_customer_planned_at": ["customer_id", "planned_at", "shipment_id"],
        },
    ),
    Feed(
        "invoice",
        ["invoice_id"],
        {
            "ix_invoice_issued_at": ["issued_at", "invoice_id"],
            "ix_invoice_status_issued_at": ["status", "issued_at", "invoice_id"],
            "ix_invoice_customer_issued_at": ["customer_id", "issued_at", "invoice_id"],
        },
    ),
)
