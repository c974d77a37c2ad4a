"""Andon stops as the order side keeps them: open pulls by target, and which pull holds which
order."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from services.order.domain import AndonStop
from services.order.events import AndonPullCleared, AndonPullNoted, OrderHeld, OrderHoldLifted
from shared import rows
from shared.db import Connection, lock_names, placeholders
from shared.messages import DomainEvent

# Which orders a pull may stop (the Order aggregate decides; these only narrow the search).
_CANDIDATES = {
    "order": "SELECT order_id FROM order_summary WHERE order_id = $1"
    " AND status NOT IN ('cancelled', 'rejected', 'completed')",
    "customer": "SELECT order_id FROM order_summary WHERE customer_id = $1"
    " AND status NOT IN ('cancelled', 'rejected', 'completed', 'shipped')",
    "sku": "SELECT s.order_id FROM order_summary s JOIN order_line l ON l.order_id = s.order_id"
    " WHERE l.sku = $1 AND s.status IN ('pending', 'on_hold')",
}


@dataclass(frozen=True, slots=True)
class OpenAndonPullRow(rows.Row):
    table = "open_andon_pull"
    primary_key = ("pull_id",)

    pull_id: str
    target_kind: str
    target_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AndonHoldRow(rows.Row):
    table = "andon_hold"
    primary_key = ("pull_id", "order_id")

    pull_id: str
    order_id: str


async def project(conn: Connection, event: DomainEvent) -> None:
    match event:
        case AndonPullNoted():
            pull = OpenAndonPullRow(
                str(event.pull_id), event.target_kind, event.target_id, event.reason
            )
            await conn.execute(*rows.insert(pull, on_conflict="skip"))
        case AndonPullCleared():
            await conn.execute("DELETE FROM open_andon_pull WHERE pull_id = $1", str(event.pull_id))
        case OrderHeld(hold="andon", pull_id=UUID() as pull_id):
            hold = AndonHoldRow(str(pull_id), str(event.order_id))
            await conn.execute(*rows.insert(hold, on_conflict="skip"))
        case OrderHoldLifted(hold="andon"):
            lifted = None if event.pull_id is None else str(event.pull_id)
            await _lift(conn, str(event.order_id), lifted)


async def _lift(conn: Connection, order_id: str, pull_id: str | None) -> None:
    # A lift naming no pull lifts every andon hold of the order.
    await conn.execute(
        "DELETE FROM andon_hold WHERE order_id = $1 AND (CAST($2 AS TEXT) IS NULL OR pull_id = $2)",
        order_id,
        pull_id,
    )


def _stop_lock(kind: str, target_id: str) -> str:
    return f"andon-stop:{kind}:{target_id}"


async def orders_stopped_by(conn: Connection, stop: AndonStop) -> list[str]:
    """The orders a new pull may stop. Intake of orders with the target waits until the pull
    is noted, and the pull for intakes under way (`open_stops`): none escapes in between."""
    query = _CANDIDATES.get(stop.target_kind)
    if query is None:
        return []
    await lock_names(conn, [_stop_lock(stop.target_kind, stop.target_id)])
    return [row["order_id"] for row in await conn.fetch(query, stop.target_id)]


async def orders_held_by(conn: Connection, pull_id: UUID) -> list[str]:
    holds = await conn.fetch(
        "SELECT order_id FROM andon_hold WHERE pull_id = $1 ORDER BY order_id", str(pull_id)
    )
    return [row["order_id"] for row in holds]


async def open_stops(
    conn: Connection, customer_id: str | None, skus: Sequence[str]
) -> list[AndonStop]:
    """Open pulls on this customer (None: none asked) or any of these SKUs, as of a pull noted
    concurrently too."""
    customers = {("customer", customer_id)} if customer_id is not None else set()
    wanted = {*customers, *(("sku", sku) for sku in skus)}
    await lock_names(conn, [_stop_lock(kind, target) for kind, target in wanted], shared=True)
    pulls = await conn.fetch(
        "SELECT pull_id, target_kind, target_id, reason FROM open_andon_pull"
        f" WHERE target_id IN ({placeholders(len(wanted))}) ORDER BY pull_id",
        *sorted({target_id for _, target_id in wanted}),
    )
    return [
        AndonStop(UUID(row["pull_id"]), row["target_kind"], row["target_id"], row["reason"])
        for row in pulls
        if (row["target_kind"], row["target_id"]) in wanted
    ]
