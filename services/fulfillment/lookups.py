"""The fulfillment write side's own indexes: the andon pulls still stopping picks, which only
the handlers read (a shipment planned while one is open is held from the start).

Also the handlers' queries of read-model tables the API shows too (shipments, their holds and
invoices): those tables stay read models (services/fulfillment/views), and these queries change
with them.
"""

from dataclasses import dataclass

from sqlalchemy import Column, MetaData, String, Table

from services.fulfillment.events import PicksResumed, PicksStopped
from shared import rows
from shared.db import Connection, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Open andon pulls that stop picks (one row per pull until its resolution).
Table(
    "pick_stop",
    metadata,
    Column("pull_id", String(36), primary_key=True),
    Column("target_kind", String(20), nullable=False),
    Column("target_id", String(200), nullable=False),
)


@dataclass(frozen=True, slots=True)
class PickStopRow(rows.Row):
    table = "pick_stop"
    primary_key = ("pull_id",)

    pull_id: str
    target_kind: str
    target_id: str


async def project(
    conn: WriteBehind, event: DomainEvent, _envelope: Envelope, _recorded_by: object
) -> None:
    match event:
        case PicksStopped():
            stop = PickStopRow(str(event.pull_id), event.target_kind, event.target_id)
            await conn.execute(*rows.insert(stop, on_conflict="skip"))
        case PicksResumed():
            await conn.execute("DELETE FROM pick_stop WHERE pull_id = $1", str(event.pull_id))


async def open_stops(conn: Connection) -> list[tuple[str, str, str]]:
    """(pull id, target kind, target id) of every pull still stopping picks."""
    found = await conn.fetch(
        "SELECT pull_id, target_kind, target_id FROM pick_stop ORDER BY pull_id"
    )
    return [(row["pull_id"], row["target_kind"], row["target_id"]) for row in found]


async def held_by(conn: Connection, pull_id: str) -> list[tuple[str, str]]:
    """(shipment id, order id) of the shipments the pull holds."""
    found = await conn.fetch(
        "SELECT shipment_id, order_id FROM shipment_hold WHERE pull_id = $1 ORDER BY shipment_id",
        pull_id,
    )
    return [(row["shipment_id"], row["order_id"]) for row in found]


async def waiting_shipments(conn: Connection, *, limit: int) -> list[tuple[str, str]]:
    """(shipment id, order id) of the next wave: higher priority first, then earlier deadline;
    shipments held by an andon pull wait."""
    found = await conn.fetch(
        "SELECT shipment_id, order_id FROM shipment WHERE status = 'waiting' AND NOT EXISTS"
        " (SELECT 1 FROM shipment_hold h WHERE h.shipment_id = shipment.shipment_id)"
        " ORDER BY priority DESC, deadline, planned_at, shipment_id LIMIT $1",
        limit,
    )
    return [(row["shipment_id"], row["order_id"]) for row in found]


async def waiting_candidates(
    conn: Connection, target_kind: str, target_id: str
) -> list[tuple[str, str]]:
    """(shipment id, order id) of waiting shipments an andon pull may concern: those of the
    order or customer, or (for a SKU, whose lines are JSON text) every waiting one. The
    Shipment aggregate decides; waiting shipments are few, as each wave takes them."""
    found = await conn.fetch(
        "SELECT shipment_id, order_id FROM shipment WHERE status = 'waiting'"
        " AND (CAST($1 AS TEXT) = 'sku'"
        " OR (CAST($1 AS TEXT) = 'order' AND order_id = LOWER(CAST($2 AS TEXT)))"
        " OR (CAST($1 AS TEXT) = 'customer' AND customer_id = CAST($2 AS TEXT)))"
        " ORDER BY shipment_id",
        target_kind,
        target_id,
    )
    return [(row["shipment_id"], row["order_id"]) for row in found]


async def shipment_ids_of_order(conn: Connection, order_id: str) -> list[str]:
    """The order's shipments in release order."""
    found = await conn.fetch(
        "SELECT shipment_id FROM shipment WHERE order_id = $1 ORDER BY release_no", order_id
    )
    return [row["shipment_id"] for row in found]


async def invoice_ids_of_order(conn: Connection, order_id: str) -> list[str]:
    """The order's invoices in the order they were issued (one per shipment: a handful)."""
    found = await conn.fetch(
        "SELECT invoice_id FROM invoice WHERE order_id = $1 ORDER BY issued_at, invoice_id",
        order_id,
    )
    return [row["invoice_id"] for row in found]


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = (
    "SELECT order_id, COUNT(*) AS shipments, COUNT(shipped_at) AS shipped,"
    " MAX(shipped_at) AS last_shipped_at, (SELECT COUNT(*) FROM invoice i"
    " WHERE i.order_id = shipment.order_id) AS invoices FROM shipment WHERE {where}"
    " GROUP BY order_id"
)
