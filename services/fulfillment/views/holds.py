"""Andon holds read model: the pulls holding each shipment (its `held_by`)."""

from collections.abc import Sequence

from services.fulfillment.events import ShipmentHeld, ShipmentHoldLifted
from shared import changes
from shared.db import Connection, WriteBehind, placeholders
from shared.messages import DomainEvent


async def project(conn: WriteBehind, event: DomainEvent) -> None:
    match event:
        case ShipmentHeld():
            await conn.execute(
                "INSERT INTO shipment_hold (shipment_id, pull_id, order_id) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING",
                str(event.shipment_id),
                str(event.pull_id),
                str(event.order_id),
            )
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
    await conn.execute(
        f"UPDATE shipment SET change_mark = {changes.now(conn)} WHERE shipment_id = $1",
        shipment_id,
    )


async def holds_of(conn: Connection, shipment_ids: Sequence[str]) -> dict[str, list[str]]:
    """The pulls holding each of the shipments (only those held appear)."""
    if not shipment_ids:
        return {}
    rows = await conn.fetch(
        "SELECT shipment_id, pull_id FROM shipment_hold"
        f" WHERE shipment_id IN ({placeholders(len(shipment_ids))}) ORDER BY shipment_id, pull_id",
        *shipment_ids,
    )
    holds: dict[str, list[str]] = {}
    for row in rows:
        holds.setdefault(row["shipment_id"], []).append(row["pull_id"])
    return holds
