"""Shipments read model: status, wave, carrier and the time of every step."""

import json
from datetime import datetime

from pydantic import TypeAdapter

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
from services.fulfillment.schemas import ShipmentLine, ShipmentPublic
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


SHIPMENTS = Listing(
    name="shipments",
    source="shipment",
    columns="shipment_id, order_id, release_no, status, lines, short_lines, priority, deadline,"
    f" wave_id, carrier, tracking_number, {', '.join(_TIMES)}",
    order=(("planned_at", datetime), ("shipment_id", str)),
    row_key=(("shipment_id", str),),
)
_SHIPMENT_LINES = TypeAdapter(list[ShipmentLine])


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
        "lines": _lines(row),
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


def _lines(row: Row) -> list[ShipmentLine]:
    """The planned lines, without the prices the column also keeps."""
    return _SHIPMENT_LINES.validate_json(row["lines"])
