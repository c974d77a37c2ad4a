"""Order read models (updated in the transaction of their events) and the queries over them."""

import json
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

from services.order.domain import Order
from shared.db import Connection
from shared.envelope import Envelope, parse_time
from shared.eventstore import SqlEventStore
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
    Column("total_cents", Integer, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Table(
    "catalog_item",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
)
# Not derived from events: an Idempotency-Key only ever meets the order service's API.
idempotency_metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "idempotency_record",
    idempotency_metadata,
    Column("channel", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(36), nullable=False),
)

# Hand-offs recorded by the order are facts from other departments; the timeline names them.
_RECORDED_BY = {
    "CreditApprovalRecorded": "credit",
    "StockReservationRecorded": "inventory",
    "StockShortageRecorded": "inventory",
}
_STATUS_AFTER = {
    "OrderPlaced": "pending",
    "StockShortageRecorded": "on_hold",
    "OrderReleased": "released",
    "OrderRejected": "rejected",
}


async def project(conn: Connection, envelope: Envelope) -> None:
    """Keep `order_summary` in step with the order stream."""
    data = envelope.data
    if envelope.event_type == "ItemDefined":
        await _define_item(conn, envelope)
    elif envelope.event_type == "OrderPlaced":
        await conn.execute(
            "INSERT INTO order_summary (order_id, customer_id, channel, external_id, status,"
            " holds, total_cents, placed_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', '[]',"
            " $5, $6, $6)",
            data["order_id"],
            data["customer_id"],
            data["channel"],
            data["external_id"],
            data["total_cents"],
            envelope.occurred_at,
        )
    elif (status := _STATUS_AFTER.get(envelope.event_type)) is not None:
        holds = ["backorder"] if envelope.event_type == "StockShortageRecorded" else []
        await conn.execute(
            "UPDATE order_summary SET status = $2, holds = $3, updated_at = $4 WHERE order_id = $1",
            data["order_id"],
            status,
            json.dumps(holds),
            envelope.occurred_at,
        )


async def order_details(conn: Connection, order_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM order_summary WHERE order_id = $1", str(order_id))
    if row is None:
        return None
    history = await SqlEventStore().load(conn, Order.stream_id_for(str(order_id)))
    placed = history[0].data
    reserved: dict[str, int] = {
        e.data["sku"]: e.data["quantity"]
        for e in history
        if e.event_type == "StockReservationRecorded"
    }
    return {
        "order_id": row["order_id"],
        "channel": row["channel"],
        "status": row["status"],
        "holds": json.loads(row["holds"]),
        "customer_id": row["customer_id"],
        "external_id": row["external_id"],
        "total_cents": row["total_cents"],
        "lines": [
            {
                "sku": line["sku"],
                "quantity": line["quantity"],
                "reserved": reserved.get(line["sku"], 0),
            }
            for line in placed["lines"]
        ],
        "timeline": [_timeline_entry(e) for e in history],
    }


def _timeline_entry(envelope: Envelope) -> dict[str, Any]:
    detail = {k: v for k, v in envelope.data.items() if k not in ("order_id", "lines")}
    return {
        "at": envelope.occurred_at.isoformat(),
        "service": _RECORDED_BY.get(envelope.event_type, "order"),
        "event": envelope.event_type,
        "detail": detail,
    }


async def list_orders(
    conn: Connection,
    *,
    channel: str | None,
    status: str | None,
    customer_id: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT order_id, status, customer_id, total_cents, updated_at FROM order_summary"
        " WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)"
        " AND (CAST($2 AS TEXT) IS NULL OR customer_id = $2)"
        " AND (CAST($3 AS TEXT) IS NULL OR channel = $3)"
        " ORDER BY placed_at DESC LIMIT $4",
        status,
        customer_id,
        channel,
        limit,
    )
    return [{**dict(row), "updated_at": parse_time(row["updated_at"]).isoformat()} for row in rows]


async def prices(conn: Connection, skus: list[str]) -> dict[str, int]:
    found = {}
    for sku in set(skus):
        price = await conn.fetchval("SELECT unit_price_cents FROM catalog_item WHERE sku = $1", sku)
        if price is not None:
            found[sku] = price
    return found


async def _define_item(conn: Connection, envelope: Envelope) -> None:
    await conn.execute(
        "INSERT INTO catalog_item (sku, name, unit_price_cents) VALUES ($1, $2, $3)"
        " ON CONFLICT (sku) DO UPDATE SET name = excluded.name,"
        " unit_price_cents = excluded.unit_price_cents",
        envelope.data["sku"],
        envelope.data["name"],
        envelope.data["unit_price_cents"],
    )


async def idempotent_answer(conn: Connection, channel: str, key: str) -> tuple[str, str] | None:
    row = await conn.fetchrow(
        "SELECT request_hash, order_id FROM idempotency_record WHERE channel = $1 AND key = $2",
        channel,
        key,
    )
    return (row["request_hash"], row["order_id"]) if row else None


async def remember_idempotency_key(
    conn: Connection, *, channel: str, key: str, request_hash: str, order_id: str
) -> None:
    await conn.execute(
        "INSERT INTO idempotency_record (channel, key, request_hash, order_id)"
        " VALUES ($1, $2, $3, $4)",
        channel,
        key,
        request_hash,
        order_id,
    )
