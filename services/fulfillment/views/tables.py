"""Fulfillment read-model tables, rebuilt from the event store by `gapless replay rebuild`.

The write side reads shipments, their holds and invoices too, with its own queries
(services/fulfillment/lookups.py): change those with these tables.
"""

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

from shared.changes import mark_column
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

shipment = Table(
    "shipment",
    metadata,
    Column("shipment_id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False),
    Column("release_no", Integer, nullable=False),
    Column("customer_id", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("lines", Text, nullable=False),
    # Units per SKU the WMS/TMS confirmed short of: shipped = lines - short_lines.
    Column("short_lines", Text, nullable=False, server_default="[]"),
    Column("priority", Integer, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("wave_id", String(36), nullable=True),
    Column("carrier", String(200), nullable=True),
    Column("tracking_number", String(200), nullable=True),
    Column("planned_at", DateTime(timezone=True), nullable=False),
    Column("pick_requested_at", DateTime(timezone=True), nullable=True),
    Column("picked_at", DateTime(timezone=True), nullable=True),
    Column("packed_at", DateTime(timezone=True), nullable=True),
    Column("shipped_at", DateTime(timezone=True), nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    mark_column(),
)
Index("ix_shipment_order_id", shipment.c.order_id)
# GET /v1/shipments pages by planning time, whole or by status or customer, and as a feed.
Index("ix_shipment_planned_at", shipment.c.planned_at, shipment.c.shipment_id)
Index(
    "ix_shipment_status_planned_at",
    shipment.c.status,
    shipment.c.planned_at,
    shipment.c.shipment_id,
)
Index(
    "ix_shipment_customer_planned_at",
    shipment.c.customer_id,
    shipment.c.planned_at,
    shipment.c.shipment_id,
)
Index("ix_shipment_change_mark", shipment.c.change_mark, shipment.c.shipment_id)
# The pick wave reads waiting shipments by priority, then deadline.
Index("ix_shipment_wave_order", shipment.c.status, shipment.c.priority, shipment.c.deadline)

# The pulls holding each shipment; a held shipment is skipped by the pick waves.
shipment_hold = Table(
    "shipment_hold",
    metadata,
    Column("shipment_id", String(36), primary_key=True),
    Column("pull_id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False),
)
Index("ix_shipment_hold_pull_id", shipment_hold.c.pull_id)

invoice = Table(
    "invoice",
    metadata,
    Column("invoice_id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False),
    Column("shipment_id", String(36), nullable=False),
    Column("customer_id", String(200), nullable=False),
    Column("lines", Text, nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("paid_cents", Integer, nullable=False),
    # Credit notes: taken off the open amount, and paid back to the customer.
    Column("credited_cents", Integer, nullable=False, server_default="0"),
    Column("refunded_cents", Integer, nullable=False, server_default="0"),
    Column("status", String(10), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=True),
    mark_column(),
)
Index("ix_invoice_order_id", invoice.c.order_id)
# GET /v1/invoices pages by issue time, whole or by status or customer, and as a feed.
Index("ix_invoice_issued_at", invoice.c.issued_at, invoice.c.invoice_id)
Index("ix_invoice_status_issued_at", invoice.c.status, invoice.c.issued_at, invoice.c.invoice_id)
Index(
    "ix_invoice_customer_issued_at",
    invoice.c.customer_id,
    invoice.c.issued_at,
    invoice.c.invoice_id,
)
Index("ix_invoice_change_mark", invoice.c.change_mark, invoice.c.invoice_id)

# Returns the order service authorised, and what the warehouse received of them.
customer_return = Table(
    "customer_return",
    metadata,
    Column("return_id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False),
    Column("return_no", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("lines", Text, nullable=False),
    Column("received_lines", Text, nullable=True),
    Column("authorised_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=True),
    mark_column(),
)
Index("ix_customer_return_order_id", customer_return.c.order_id)
# GET /v1/returns pages by authorisation time, whole or by status, and as a feed.
Index(
    "ix_customer_return_authorised_at",
    customer_return.c.authorised_at,
    customer_return.c.return_id,
)
Index(
    "ix_customer_return_status_authorised_at",
    customer_return.c.status,
    customer_return.c.authorised_at,
    customer_return.c.return_id,
)
Index(
    "ix_customer_return_change_mark",
    customer_return.c.change_mark,
    customer_return.c.return_id,
)

credit_note = Table(
    "credit_note",
    metadata,
    Column("credit_note_id", String(36), primary_key=True),
    Column("return_id", String(36), nullable=False),
    Column("invoice_id", String(36), nullable=False),
    Column("order_id", String(36), nullable=False),
    Column("customer_id", String(200), nullable=False),
    Column("lines", Text, nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("applied_cents", Integer, nullable=False),
    Column("refund_cents", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
Index("ix_credit_note_return_id", credit_note.c.return_id)
