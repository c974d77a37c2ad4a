"""Inventory read model: current level per SKU."""

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.db import Connection
from shared.envelope import Envelope
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "stock_level",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
)

_DELTAS = {"StockReceived": (1, 0), "StockReserved": (0, 1)}


async def project(conn: Connection, envelope: Envelope) -> None:
    deltas = _DELTAS.get(envelope.event_type)
    if deltas is None:
        return
    quantity = envelope.data["quantity"]
    await conn.execute(
        "INSERT INTO stock_level (sku, on_hand, reserved) VALUES ($1, $2, $3)"
        " ON CONFLICT (sku) DO UPDATE SET on_hand = stock_level.on_hand + excluded.on_hand,"
        " reserved = stock_level.reserved + excluded.reserved",
        envelope.data["sku"],
        deltas[0] * quantity,
        deltas[1] * quantity,
    )


async def stock_level(conn: Connection, sku: str) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT on_hand, reserved FROM stock_level WHERE sku = $1", sku)
    on_hand, reserved = (row["on_hand"], row["reserved"]) if row else (0, 0)
    return {
        "sku": sku,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "blocked": 0,
    }
