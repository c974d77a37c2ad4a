"""Andon holds read model: the pulls holding each shipment (its `held_by`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from services.fulfillment.events import ShipmentHeld, ShipmentHoldLifted
from shared import changes, rows
from shared.db import Connection, WriteBehind, placeholders
from shared.messages import DomainEvent


@dataclass(frozen=True, slots=True)
class ShipmentHoldRow(rows.Row):
    table = "shipment_hold"
    primary_key = ("shipment_id", "pull_id")

    shipment_id: str
    pull_id: str
    order_id: str


@dataclass(frozen=True, slots=True)
class ShipmentHoldsChangedRow(rows.Row):
    """Only the shipment's change mark: its holds are in their own table."""

    table = "shipment"
    primary_key = ("shipment_id",)

    shipment_id: str


async def project(conn: WriteBehind, event: DomainEvent) -> None:
    match event:
        case ShipmentHeld():
            hold = ShipmentHoldRow(str(event.shipment_id), str(event.pull_id), str(event.order_id))
            await conn.execute(*rows.insert(hold, on_conflict="skip"))
            await _shipment_changed(conn, str(event.shipment_id))
        case ShipmentHoldLifted():
            await conn.execute(
                "DELETE FROM shipment_hold WHERE shipment_id = $1 AND pull_id = $2",
                str(event.shipment_id),
                str(event.pull_id),
            )
            await _shipment_changed(conn, str(event.shipment_id))


async def _shipment_changed(conn: WriteBehind, shipment_id: str) -> None:
    """A hold came or went: the shipment's `held_by` changed, so its feed shows it again."""
    changed = ShipmentHoldsChangedRow(shipment_id)
    await conn.execute(*rows.update(changed, mark=changes.now(conn)))


async def holds_of(conn: Connection, shipment_ids: Sequence[str]) -> dict[str, list[str]]:
    """The pulls holding each of the shipments (only those held appear)."""
    if not shipment_ids:
        return {}
    found = await conn.fetch(
        "SELECT shipment_id, pull_id FROM shipment_hold"
        f" WHERE shipment_id IN ({placeholders(len(shipment_ids))}) ORDER BY shipment_id, pull_id",
        *shipment_ids,
    )
    holds: dict[str, list[str]] = {}
    for row in found:
        holds.setdefault(row["shipment_id"], []).append(row["pull_id"])
    return holds
