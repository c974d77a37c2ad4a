"""Shipments read model: status, wave, carrier and the time of every step."""

import json
from datetime import datetime
from typing import Any

from services.fulfillment.domain import Shipment
from services.fulfillment.events import (
    PickRequested,
    ShipmentCancelled,
    ShipmentDelivered,
    ShipmentPacked,
    ShipmentPicked,
    ShipmentPlanned,
    ShipmentShipped,
    ShipmentShortPicked,
)
from services.fulfillment.schemas import ShipmentPublic
from services.fulfillment.views.holds import holds_of
from shared import changes
from shared.aggregate import Aggregate
from shared.db import Connection, Row, WriteBehind
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch

# Event -> (status it sets, column that records when).
_STEPS: dict[type[DomainEvent], tuple[str, str]] = {
    PickRequested: ("picking", "pick_requested_at"),
    ShipmentPicked: ("picked", "picked_at"),
    ShipmentPacked: ("packed", "packed_at"),
    ShipmentShipped: ("shipped", "shipped_at"),
    ShipmentDelivered: ("delivered", "delivered_at"),
    ShipmentCancelled: ("cancelled", "cancelled_at"),
}
_TIMES = ("planned_at", *(column for _, column in _STEPS.values()))
_STEP_EVENTS = (
    PickRequested,
    ShipmentPicked,
    ShipmentPacked,
    ShipmentShipped,
    ShipmentDelivered,
    ShipmentCancelled,
)


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, shipment: Aggregate | None
) -> None:
    if isinstance(event, ShipmentPlanned):
        await conn.execute(
            "INSERT INTO shipment (shipment_id, order_id, release_no, customer_id, status, lines,"
            " short_lines, priority, deadline, planned_at, change_mark)"
            f" VALUES ($1, $2, $3, $4, 'waiting', $5, '[]', $6, $7, $8, {changes.now(conn)})",
            str(event.shipment_id),
            str(event.order_id),
            event.release_no,
            event.customer_id,
            json.dumps([line.model_dump(mode="json") for line in event.lines], sort_keys=True),
            event.priority,
            event.deadline,
            envelope.occurred_at,
        )
    elif isinstance(event, ShipmentShortPicked) and isinstance(shipment, Shipment):
        short = [{"sku": sku, "quantity": units} for sku, units in shipment.short_units().items()]
        conn.defer(
            ("shipment.short_lines", str(event.shipment_id)),
            f"UPDATE shipment SET short_lines = $2, change_mark = {changes.now(conn)}"
            " WHERE shipment_id = $1",
            str(event.shipment_id),
            json.dumps(short, sort_keys=True),
        )
    elif isinstance(event, _STEP_EVENTS):
        status, column = _STEPS[type(event)]
        wave_id = str(event.wave_id) if isinstance(event, PickRequested) else None
        carrier, tracking = (
            (event.carrier, event.tracking_number)
            if isinstance(event, ShipmentShipped)
            else (None, None)
        )
        await conn.execute(
            f"UPDATE shipment SET status = $2, {column} = $3,"
            " wave_id = COALESCE(CAST($4 AS TEXT), wave_id),"
            " carrier = COALESCE(CAST($5 AS TEXT), carrier),"
            " tracking_number = COALESCE(CAST($6 AS TEXT), tracking_number),"
            f" change_mark = {changes.now(conn)} WHERE shipment_id = $1",
            str(event.shipment_id),
            status,
            envelope.occurred_at,
            wave_id,
            carrier,
            tracking,
        )


async def waiting(conn: Connection, *, limit: int) -> list[tuple[str, str]]:
    """(shipment id, order id) of the next wave: higher priority first, then earlier deadline;
    shipments held by an andon pull wait."""
    rows = await conn.fetch(
        "SELECT shipment_id, order_id FROM shipment WHERE status = 'waiting' AND NOT EXISTS"
        " (SELECT 1 FROM shipment_hold h WHERE h.shipment_id = shipment.shipment_id)"
        " ORDER BY priority DESC, deadline, planned_at, shipment_id LIMIT $1",
        limit,
    )
    return [(row["shipment_id"], row["order_id"]) for row in rows]


async def waiting_candidates(
    conn: Connection, target_kind: str, target_id: str
) -> list[tuple[str, str]]:
    """(shipment id, order id) of waiting shipments an andon pull may concern: those of the
    order or customer, or (for a SKU, whose lines are JSON text) every waiting one. The
    Shipment aggregate decides; waiting shipments are few, as each wave takes them."""
    rows = await conn.fetch(
        "SELECT shipment_id, order_id FROM shipment WHERE status = 'waiting'"
        " AND (CAST($1 AS TEXT) = 'sku'"
        " OR (CAST($1 AS TEXT) = 'order' AND order_id = LOWER(CAST($2 AS TEXT)))"
        " OR (CAST($1 AS TEXT) = 'customer' AND customer_id = CAST($2 AS TEXT)))"
        " ORDER BY shipment_id",
        target_kind,
        target_id,
    )
    return [(row["shipment_id"], row["order_id"]) for row in rows]


async def ids_of_order(conn: Connection, order_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT shipment_id FROM shipment WHERE order_id = $1 ORDER BY release_no", order_id
    )
    return [row["shipment_id"] for row in rows]


SHIPMENTS = Listing(
    name="shipments",
    source="shipment",
    columns="shipment_id, order_id, release_no, status, lines, short_lines, priority, deadline,"
    f" wave_id, carrier, tracking_number, {', '.join(_TIMES)}",
    order=(("planned_at", datetime), ("shipment_id", str)),
    row_key=(("shipment_id", str),),
)


async def shipments(conn: Connection, where: Where, query: PageQuery) -> Page[ShipmentPublic]:
    found = await fetch(conn, SHIPMENTS, where, query)
    holds = await holds_of(conn, [row["shipment_id"] for row in found.rows])
    rows = [_public(row, holds.get(row["shipment_id"], [])) for row in found.rows]
    return found.with_rows(rows)


def _public(row: Row, held_by: list[str]) -> ShipmentPublic:
    public = {
        "shipment_id": row["shipment_id"],
        "order_id": row["order_id"],
        "release_no": row["release_no"],
        "status": row["status"],
        "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in _lines(row)],
        "short": json.loads(row["short_lines"]),
        "priority": row["priority"],
        "deadline": parse_time(row["deadline"]).isoformat(),
        "wave_id": row["wave_id"],
        "carrier": row["carrier"],
        "tracking_number": row["tracking_number"],
        "held_by": held_by,
        "times": {
            column.removesuffix("_at"): parse_time(row[column]).isoformat()
            for column in _TIMES
            if row[column] is not None
        },
    }
    return ShipmentPublic.model_validate(public)


def _lines(row: Row) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = json.loads(row["lines"])
    return lines


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = (
    "SELECT order_id, COUNT(*) AS shipments, COUNT(shipped_at) AS shipped,"
    " MAX(shipped_at) AS last_shipped_at, (SELECT COUNT(*) FROM invoice i"
    " WHERE i.order_id = shipment.order_id) AS invoices FROM shipment WHERE {where}"
    " GROUP BY order_id"
)
