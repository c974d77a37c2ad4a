"""Shipments read model: status, wave, carrier and the time of every step."""

import json
from dataclasses import dataclass
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
from shared import changes, rows
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


@dataclass(frozen=True, slots=True)
class ShipmentRow(rows.Row):
    table = "shipment"
    primary_key = ("shipment_id",)

    shipment_id: str
    order_id: str
    release_no: int
    customer_id: str
    lines: str  # JSON
    priority: int
    deadline: datetime
    planned_at: datetime
    status: str = "waiting"
    short_lines: str = "[]"


@dataclass(frozen=True, slots=True)
class ShipmentShortRow(rows.Row):
    table = "shipment"
    primary_key = ("shipment_id",)

    shipment_id: str
    short_lines: str  # JSON


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, shipment: Aggregate | None
) -> None:
    if isinstance(event, ShipmentPlanned):
        planned = ShipmentRow(
            str(event.shipment_id),
            str(event.order_id),
            event.release_no,
            event.customer_id,
            lines=json.dumps(
                [line.model_dump(mode="json") for line in event.lines], sort_keys=True
            ),
            priority=event.priority,
            deadline=event.deadline,
            planned_at=envelope.occurred_at,
        )
        await conn.execute(*rows.insert(planned, mark=changes.now(conn)))
    elif isinstance(event, ShipmentShortPicked) and isinstance(shipment, Shipment):
        short = [{"sku": sku, "quantity": units} for sku, units in shipment.short_units().items()]
        short_row = ShipmentShortRow(str(event.shipment_id), json.dumps(short, sort_keys=True))
        conn.defer(
            ("shipment.short_lines", str(event.shipment_id)),
            *rows.update(short_row, mark=changes.now(conn)),
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
    return found.with_rows([_public(row, holds.get(row["shipment_id"], [])) for row in found.rows])


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
