"""Inventory read models: level per SKU, each order's claim per SKU (the backorder view) and the
andon pulls stopping a SKU's sale.

Folded from the inventory's own events only, so `gapless replay rebuild inventory` recreates them.
Released units come off an order line's waiting units first, exactly as in the aggregate.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.aggregate import Aggregate
from shared.db import Connection
from shared.envelope import Envelope, parse_time
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "stock_level",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
    Column("blocked", Integer, nullable=False, default=0),
    Column("backordered", Integer, nullable=False, default=0),
    Column("reorder_point", Integer, nullable=False, default=0),
)
Table(
    "stock_order_line",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("sku", String(100), primary_key=True),
    Column("reserved", Integer, nullable=False),
    Column("backordered", Integer, nullable=False),
    Column("shipped", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("deadline", String(40), nullable=False),
    Column("arrival", Integer, nullable=False),
)
Table(
    "stock_sale_stop",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("pull_id", String(36), primary_key=True),
)

# While a pull stops the sale, every free unit is blocked: kept so in the same statement, so a
# receipt or a release during the stop adds to `blocked`, not to `available`.
_LEVEL_UPSERT = (
    "INSERT INTO stock_level (sku, on_hand, reserved, blocked, backordered, reorder_point)"
    " VALUES ($1, $2, $3, 0, $4, 0) ON CONFLICT (sku) DO UPDATE SET"
    " on_hand = stock_level.on_hand + excluded.on_hand,"
    " reserved = stock_level.reserved + excluded.reserved,"
    " backordered = stock_level.backordered + excluded.backordered,"
    " blocked = CASE WHEN EXISTS (SELECT 1 FROM stock_sale_stop s WHERE s.sku = stock_level.sku)"
    " THEN stock_level.on_hand + excluded.on_hand - stock_level.reserved - excluded.reserved"
    " ELSE 0 END"
)
_LINE_WAITS = (
    "INSERT INTO stock_order_line (order_id, sku, reserved, backordered, shipped, priority,"
    " deadline, arrival) VALUES ($1, $2, 0, $3, 0, $4, $5, $6)"
    " ON CONFLICT (order_id, sku) DO UPDATE SET"
    " arrival = CASE WHEN stock_order_line.backordered = 0 THEN excluded.arrival"
    " ELSE stock_order_line.arrival END,"
    " backordered = stock_order_line.backordered + excluded.backordered"
)
_LINE_DELTA = (
    "UPDATE stock_order_line SET reserved = reserved + $3, backordered = backordered + $4,"
    " shipped = shipped + $5 WHERE order_id = $1 AND sku = $2"
)


async def _level(
    conn: Connection, sku: str, *, on_hand: int = 0, reserved: int = 0, waiting: int = 0
) -> None:
    await conn.execute(_LEVEL_UPSERT, sku, on_hand, reserved, waiting)


async def _line(conn: Connection, data: dict[str, Any]) -> dict[str, int]:
    row = await conn.fetchrow(
        "SELECT reserved, backordered FROM stock_order_line WHERE order_id = $1 AND sku = $2",
        data["order_id"],
        data["sku"],
    )
    return {"reserved": row["reserved"], "waiting": row["backordered"]} if row else {}


async def _received(conn: Connection, envelope: Envelope) -> None:
    await _level(conn, envelope.data["sku"], on_hand=envelope.data["quantity"])


async def _requested(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    await conn.execute(
        _LINE_WAITS,
        data["order_id"],
        data["sku"],
        data["quantity"],
        data["priority"],
        data["deadline"],
        envelope.aggregate_version,
    )
    await _level(conn, data["sku"], waiting=data["quantity"])


async def _reserved(conn: Connection, envelope: Envelope) -> None:
    data, quantity = envelope.data, envelope.data["quantity"]
    await conn.execute(_LINE_DELTA, data["order_id"], data["sku"], quantity, -quantity, 0)
    await _level(conn, data["sku"], reserved=quantity, waiting=-quantity)


async def _released(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    line = await _line(conn, data)
    from_waiting = min(line.get("waiting", 0), data["quantity"])
    from_reserved = data["quantity"] - from_waiting
    await conn.execute(_LINE_DELTA, data["order_id"], data["sku"], -from_reserved, -from_waiting, 0)
    await _level(conn, data["sku"], reserved=-from_reserved, waiting=-from_waiting)


async def _shipped(conn: Connection, envelope: Envelope) -> None:
    data, quantity = envelope.data, envelope.data["quantity"]
    from_reserved = min((await _line(conn, data)).get("reserved", 0), quantity)
    await conn.execute(_LINE_DELTA, data["order_id"], data["sku"], -from_reserved, 0, quantity)
    await _level(conn, data["sku"], on_hand=-quantity, reserved=-from_reserved)


async def _reorder_point_set(conn: Connection, envelope: Envelope) -> None:
    await _level(conn, envelope.data["sku"])
    await conn.execute(
        "UPDATE stock_level SET reorder_point = $2 WHERE sku = $1",
        envelope.data["sku"],
        envelope.data["reorder_point"],
    )


async def _sale_stopped(conn: Connection, envelope: Envelope) -> None:
    sku = envelope.data["sku"]
    await conn.execute(
        "INSERT INTO stock_sale_stop (sku, pull_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        sku,
        envelope.data["pull_id"],
    )
    await _level(conn, sku)  # a SKU may be stopped before any stock of it is known


async def _stop_lifted(conn: Connection, envelope: Envelope) -> None:
    sku = envelope.data["sku"]
    await conn.execute(
        "DELETE FROM stock_sale_stop WHERE sku = $1 AND pull_id = $2",
        sku,
        envelope.data["pull_id"],
    )
    await _level(conn, sku)


_PROJECTORS: dict[str, Callable[[Connection, Envelope], Awaitable[None]]] = {
    "StockReceived": _received,
    "StockRequested": _requested,
    "StockRequestIncreased": _requested,
    "StockReserved": _reserved,
    "StockReleased": _released,
    "StockShipped": _shipped,
    "ReorderPointSet": _reorder_point_set,
    "StockSaleStopped": _sale_stopped,
    "StockSaleResumed": _stop_lifted,
    "StockSaleStopLifted": _stop_lifted,
}


async def project(conn: Connection, envelope: Envelope, _: Aggregate | None = None) -> None:
    if (projector := _PROJECTORS.get(envelope.event_type)) is not None:
        await projector(conn, envelope)


def _public(row: Any, stopped_by: list[str]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "available": row["on_hand"] - row["reserved"] - row["blocked"],
        "blocked": row["blocked"],
        "backordered": row["backordered"],
        "reorder_point": row["reorder_point"],
        "stopped_by": stopped_by,
    }


_LEVEL_COLUMNS = "sku, on_hand, reserved, blocked, backordered, reorder_point"


async def stock_level(conn: Connection, sku: str) -> dict[str, Any] | None:
    """One SKU's stock; None if the inventory never heard of it (no item, receipt or stop)."""
    row = await conn.fetchrow(f"SELECT {_LEVEL_COLUMNS} FROM stock_level WHERE sku = $1", sku)
    stops = await _sale_stops(conn, sku)
    if row is None and not stops:
        return None
    empty = {"sku": sku, "on_hand": 0, "reserved": 0, "blocked": 0, "backordered": 0}
    return _public(row or empty | {"reorder_point": 0}, stops.get(sku, []))


async def stock_levels(conn: Connection) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"SELECT {_LEVEL_COLUMNS} FROM stock_level ORDER BY sku")
    stops = await _sale_stops(conn, None)
    return [_public(row, stops.get(row["sku"], [])) for row in rows]


async def _sale_stops(conn: Connection, sku: str | None) -> dict[str, list[str]]:
    """The pulls stopping each SKU's sale (of one SKU, or of all)."""
    rows = await conn.fetch(
        "SELECT sku, pull_id FROM stock_sale_stop"
        " WHERE CAST($1 AS TEXT) IS NULL OR sku = $1 ORDER BY sku, pull_id",
        sku,
    )
    stops: dict[str, list[str]] = {}
    for row in rows:
        stops.setdefault(row["sku"], []).append(row["pull_id"])
    return stops


async def backorders(conn: Connection, sku: str) -> list[dict[str, Any]]:
    """Orders waiting for the SKU, in the order a receipt would serve them."""
    rows = await conn.fetch(
        "SELECT order_id, backordered, reserved, priority, deadline, arrival"
        " FROM stock_order_line WHERE sku = $1 AND backordered > 0",
        sku,
    )
    # Sorted here: deadlines are RFC 3339 text, which does not sort as time in SQL.
    rows.sort(key=lambda r: (-r["priority"], parse_time(r["deadline"]), r["arrival"]))
    return [
        {
            "order_id": row["order_id"],
            "quantity": row["backordered"],
            "reserved": row["reserved"],
            "priority": row["priority"],
            "deadline": row["deadline"],
        }
        for row in rows
    ]


async def order_skus(conn: Connection, order_id: UUID) -> list[str]:
    """The SKUs an order has (had) a claim on."""
    rows = await conn.fetch("SELECT sku FROM stock_order_line WHERE order_id = $1", str(order_id))
    return [row["sku"] for row in rows]


async def order_terms(conn: Connection, order_id: UUID) -> tuple[int, str] | None:
    """An order's priority and deadline, as its first line here recorded them."""
    row = await conn.fetchrow(
        "SELECT priority, deadline FROM stock_order_line WHERE order_id = $1 ORDER BY sku LIMIT 1",
        str(order_id),
    )
    return (row["priority"], row["deadline"]) if row else None
