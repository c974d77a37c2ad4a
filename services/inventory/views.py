"""Inventory read models: level per SKU, each order's claim per SKU (the backorder view) and the
andon pulls stopping a SKU's sale.

Projected from the Stock aggregate that recorded each event (a rebuild folds it alongside the
events), so the read model cannot drift from the rules: `gapless replay rebuild inventory`
recreates it.

The write side reads the orders' claims too, with its own queries (services/inventory/
lookups.py): change those with the `stock_order_line` table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Column, Index, Integer, MetaData, String, Table

from services.inventory.domain import Stock
from services.inventory.events import (
    StockBackordered,
    StockBumped,
    StockFactsReported,
    StockReleased,
    StockRequested,
    StockRequestIncreased,
    StockReserved,
    StockSaleResumed,
    StockSaleStopLifted,
    StockSaleStopped,
    StockShipped,
    StockShortPicked,
)
from services.inventory.schemas import BackorderPublic, StockPublic
from shared import changes, rows
from shared.aggregate import Aggregate
from shared.changes import mark_column
from shared.db import Connection, WriteBehind, placeholders
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "stock_level",
    metadata,
    Column("sku", String(100), primary_key=True),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
    # Returned units inspection kept apart: in the warehouse, never sold (not in on_hand).
    Column("quarantined", Integer, nullable=False, default=0, server_default="0"),
    Column("blocked", Integer, nullable=False, default=0),
    Column("backordered", Integer, nullable=False, default=0),
    Column("reorder_point", Integer, nullable=False, default=0),
    mark_column(),
    # GET /v1/inventory as a change feed (its pages go by SKU, the primary key).
    Index("ix_stock_level_change_mark", "change_mark", "sku"),
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


@dataclass(frozen=True, slots=True)
class SaleStopRow(rows.Row):
    table = "stock_sale_stop"
    primary_key = ("sku", "pull_id")

    sku: str
    pull_id: str


# The SKU's level and each order's claim, as the Stock that recorded the event has them after
# it: whole rows, held back so a batch writes each one once (shared.db.WriteBehind).
@dataclass(frozen=True, slots=True)
class LevelRow(rows.Row):
    table = "stock_level"
    primary_key = ("sku",)

    sku: str
    on_hand: int
    reserved: int
    blocked: int
    backordered: int
    reorder_point: int
    quarantined: int


@dataclass(frozen=True, slots=True)
class OrderLineRow(rows.Row):
    table = "stock_order_line"
    primary_key = ("order_id", "sku")

    order_id: str
    sku: str
    reserved: int
    backordered: int
    shipped: int
    priority: int
    deadline: str  # RFC 3339
    arrival: int


_RFC3339: TypeAdapter[datetime] = TypeAdapter(datetime)


_ORDER_LINE_EVENTS = (
    StockRequested,
    StockRequestIncreased,
    StockReserved,
    StockBackordered,
    StockReleased,
    StockShipped,
    StockShortPicked,
    StockBumped,
)


async def project(
    conn: WriteBehind, event: DomainEvent, _: Envelope, stock: Aggregate | None
) -> None:
    if isinstance(event, StockFactsReported):
        return  # an answer to reconciliation: no read model keeps it
    if not isinstance(stock, Stock):
        raise TypeError(f"{event.event_type()} is projected from its Stock aggregate")
    match event:
        case StockSaleStopped():
            stop = SaleStopRow(stock.id, str(event.pull_id))
            await conn.execute(*rows.insert(stop, on_conflict="skip"))
        case StockSaleResumed() | StockSaleStopLifted():
            await conn.execute(
                "DELETE FROM stock_sale_stop WHERE sku = $1 AND pull_id = $2",
                stock.id,
                str(event.pull_id),
            )
    level = LevelRow(
        stock.id,
        on_hand=stock.on_hand,
        reserved=stock.reserved,
        blocked=stock.blocked,
        backordered=stock.backordered,
        reorder_point=stock.reorder_point,
        quarantined=stock.quarantined,
    )
    conn.defer(
        ("stock_level", stock.id),
        *rows.insert(level, on_conflict="update", mark=changes.now(conn)),
    )
    if isinstance(event, _ORDER_LINE_EVENTS) and (line := stock.line(event.order_id)):
        order_id = str(event.order_id)
        claim = OrderLineRow(
            order_id,
            stock.id,
            reserved=line.reserved,
            backordered=line.waiting,
            shipped=line.shipped,
            priority=line.priority,
            deadline=_RFC3339.dump_python(line.deadline, mode="json"),
            arrival=line.arrival,
        )
        conn.defer(
            ("stock_order_line", order_id, stock.id),
            *rows.insert(claim, on_conflict="update"),
        )


def _public(row: Any, stopped_by: list[str]) -> StockPublic:
    return StockPublic.model_validate(
        {
            "sku": row["sku"],
            "on_hand": row["on_hand"],
            "reserved": row["reserved"],
            "available": row["on_hand"] - row["reserved"] - row["blocked"],
            "blocked": row["blocked"],
            "backordered": row["backordered"],
            "reorder_point": row["reorder_point"],
            "quarantined": row["quarantined"],
            "stopped_by": stopped_by,
        }
    )


_LEVEL_COLUMNS = "sku, on_hand, reserved, blocked, backordered, reorder_point, quarantined"


async def stock_level(conn: Connection, sku: str) -> StockPublic | None:
    """One SKU's stock; None if the inventory never heard of it (no item, receipt or stop)."""
    row = await conn.fetchrow(f"SELECT {_LEVEL_COLUMNS} FROM stock_level WHERE sku = $1", sku)
    stops = await _sale_stops(conn, [sku])
    if row is None and not stops:
        return None
    empty = {"sku": sku, "on_hand": 0, "reserved": 0, "blocked": 0, "backordered": 0}
    return _public(row or empty | {"reorder_point": 0, "quarantined": 0}, stops.get(sku, []))


STOCK = Listing(
    name="stock",
    source="stock_level",
    columns=_LEVEL_COLUMNS,
    order=(("sku", str),),
    row_key=(("sku", str),),
    default="asc",
)


async def stock_levels(conn: Connection, query: PageQuery) -> Page[StockPublic]:
    found = await fetch(conn, STOCK, Where(), query)
    skus = [row["sku"] for row in found.rows]
    stops = await _sale_stops(conn, skus)
    return found.with_rows([_public(row, stops.get(row["sku"], [])) for row in found.rows])


async def _sale_stops(conn: Connection, skus: Sequence[str]) -> dict[str, list[str]]:
    """The pulls stopping each of these SKUs' sale."""
    if not skus:
        return {}
    found = await conn.fetch(
        "SELECT sku, pull_id FROM stock_sale_stop"
        f" WHERE sku IN ({placeholders(len(skus))}) ORDER BY sku, pull_id",
        *skus,
    )
    stops: dict[str, list[str]] = {}
    for row in found:
        stops.setdefault(row["sku"], []).append(row["pull_id"])
    return stops


async def backorders(conn: Connection, sku: str) -> list[BackorderPublic]:
    """Orders waiting for the SKU, in the order a receipt would serve them."""
    found = await conn.fetch(
        "SELECT order_id, backordered, reserved, priority, deadline, arrival"
        " FROM stock_order_line WHERE sku = $1 AND backordered > 0",
        sku,
    )
    # Sorted here: deadlines are RFC 3339 text, which does not sort as time in SQL.
    found.sort(key=lambda r: (-r["priority"], parse_time(r["deadline"]), r["arrival"]))
    return [
        BackorderPublic(
            order_id=row["order_id"],
            quantity=row["backordered"],
            reserved=row["reserved"],
            priority=row["priority"],
            deadline=row["deadline"],
        )
        for row in found
    ]
