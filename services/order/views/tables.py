"""Read-model tables (rebuildable from the event store) and the tables a rebuild keeps."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from services.order.views import kpis
from shared.changes import mark_column
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

Table(
    "order_summary",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(100), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("external_id", String(200)),
    Column("status", String(30), nullable=False),
    Column("holds", Text, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("segment", String(2), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    # Set while a pattern-check hold waits for the customer: the timeout job reads it.
    Column("confirm_by", DateTime(timezone=True)),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    mark_column(),
    Index("ix_order_summary_customer", "customer_id", "placed_at"),
    Index("ix_order_summary_confirm_by", "confirm_by"),
    Index("ix_order_summary_channel_external_id", "channel", "external_id"),
    # GET /v1/orders: each page an index range scan, unfiltered, by status or by channel (a
    # channel key only ever sees its own), and the change feed, whole or a channel's.
    Index("ix_order_summary_placed_at", "placed_at", "order_id"),
    Index("ix_order_summary_status_placed_at", "status", "placed_at", "order_id"),
    Index("ix_order_summary_channel_placed_at", "channel", "placed_at", "order_id"),
    Index("ix_order_summary_change_mark", "change_mark", "order_id"),
    Index("ix_order_summary_channel_change_mark", "channel", "change_mark", "order_id"),
)
Table(
    "catalog_item",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("reorder_point", Integer, nullable=False),
    Column("item_class", String(1), nullable=False),
    Column("revenue_cents", BigInteger, nullable=False),
)
Table(
    "customer",
    metadata,
    Column("customer_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("credit_light", String(10), nullable=False),
    Column("credit_limit_cents", BigInteger, nullable=False),
    Column("review_threshold_cents", BigInteger, nullable=False),
    Column("tier", String(20), nullable=False),
    Column("customer_class", String(1), nullable=False),
    Column("revenue_cents", BigInteger, nullable=False),
    Column("exposure_cents", BigInteger, nullable=False),
    # The credit account version of that exposure: a later answer with an older one is stale.
    Column("exposure_version", BigInteger),
)
# GET /v1/orders/{id} of an order whose events moved to an archive, as it answered then
# (zlib-compressed JSON; services/order/views/archive.py). Empty whenever a rebuild may run.
Table(
    "archived_order",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("details", LargeBinary, nullable=False),
)

# Not derived from the order service's own events, so a rebuild keeps them: webhooks are the
# channels' settings and what is being sent to them.
kept_metadata = MetaData(naming_convention=NAMING_CONVENTION)
# A channel's webhook: where its orders' status changes go, and the secret that signs them.
Table(
    "webhook_subscription",
    kept_metadata,
    Column("channel", String(100), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
# The webhook outbox: one row per status change of a subscribed channel's order, written in the
# transaction of the change and sent by the order process (services/order/webhooks/sender.py).
# `sequence` is the order's version after the change: per order, rows go out in its order;
# `created_at` is when the status changed.
Table(
    "webhook_delivery",
    kept_metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("channel", String(100), nullable=False),
    Column("order_id", String(36), nullable=False),
    Column("sequence", Integer, nullable=False),
    # What the CloudEvent tells (built when sent: queuing stays cheap for every change).
    Column("status", String(30), nullable=False),
    Column("previous_status", String(30)),
    Column("holds", Text, nullable=False),
    Column("external_id", String(200)),
    Column("correlation_id", String(36), nullable=False),
    Column("causation_id", String(36), nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
    Index("ix_webhook_delivery_order_sequence", "order_id", "sequence", unique=True),
    Index("ix_webhook_delivery_channel", "channel", "state", "created_at"),
)

# The KPI read model (services/order/views/kpis.py) is rebuilt with the others.
kpis.define_tables(metadata)
