"""The write side's own tables: folded from the order service's events (`metadata`, rebuilt
with the read models) or kept as the requests left them (`kept_metadata`)."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# The current lines of every order: the customer's history (pattern check), revenue (ABC) and
# the orders a pull on a SKU may stop.
Table(
    "order_line",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("sku", String(100), primary_key=True),
    Column("customer_id", String(100), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Index("ix_order_line_customer_sku", "customer_id", "sku", "placed_at"),
    Index("ix_order_line_sku", "sku"),
)
# Andon pulls on a customer or SKU still open (new orders of theirs are held from the start).
Table(
    "open_andon_pull",
    metadata,
    Column("pull_id", String(36), primary_key=True),
    Column("target_kind", String(20), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_open_andon_pull_target", "target_kind", "target_id"),
)
# Which pull holds which order: a resolution lifts exactly these holds.
Table(
    "andon_hold",
    metadata,
    Column("pull_id", String(36), primary_key=True),
    Column("order_id", String(36), primary_key=True),
)

# Not derived from the order service's own events, so a rebuild keeps them: an Idempotency-Key
# or a channel's own order id only ever meets the order service's API, a SKU's stock is the
# inventory's.
kept_metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "idempotency_record",
    kept_metadata,
    Column("channel", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(36), nullable=False),
)
# A channel's own order id, unique per channel: a retry under a new Idempotency-Key finds the
# order it already placed instead of placing a twin.
Table(
    "channel_order_ref",
    kept_metadata,
    Column("channel", String(100), primary_key=True),
    Column("external_id", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(36), nullable=False),
)
# Each SKU's stock as the inventory last told it, noted by the handlers that hear it: the
# catalogue's available to promise (services/order/views/catalogue.py reads it).
Table(
    "catalog_stock",
    kept_metadata,
    Column("sku", String(100), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("available", Integer, nullable=False),
    # The version of the inventory's stream of the SKU that told it: only a newer one counts.
    Column("stock_version", BigInteger, nullable=False),
)
