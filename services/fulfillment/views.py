"""Fulfillment read model: the warehouse's view of each released order."""

import json
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text

from shared.db import Connection
from shared.envelope import Envelope, parse_time
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "fulfillment_order",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("status", String(30), nullable=False),
    Column("lines", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)


async def project(conn: Connection, envelope: Envelope) -> None:
    if envelope.event_type == "FulfillmentRequested":
        await conn.execute(
            "INSERT INTO fulfillment_order (order_id, status, lines, requested_at)"
            " VALUES ($1, 'awaiting_pick', $2, $3)",
            envelope.data["order_id"],
            json.dumps(envelope.data["lines"]),
            envelope.occurred_at,
        )


async def shipments(conn: Connection, order_id: str | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT order_id, status, lines, requested_at FROM fulfillment_order"
        " WHERE CAST($1 AS TEXT) IS NULL OR order_id = $1 ORDER BY requested_at LIMIT 500",
        order_id,
    )
    return [
        {
            "order_id": row["order_id"],
            "status": row["status"],
            "lines": json.loads(row["lines"]),
            "requested_at": parse_time(row["requested_at"]).isoformat(),
        }
        for row in rows
    ]
