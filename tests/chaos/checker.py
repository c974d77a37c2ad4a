"""After a fault run: the full history held against what the services recorded.

Read from each service's own database (its event store and read models), not through the API,
so the checker sees every event that took effect, not only what a view shows.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.roster import NAMES
from shared.db import Database, Row, connect
from tests.chaos.load import History

SETTLED = ("completed", "cancelled", "rejected")
DECISIONS = ("CreditApproved", "CreditDeclined", "CreditReviewRequired")
CHECKS = ("OrderPlaced", "OrderChanged")
SERVICES = NAMES


@dataclass
class Databases:
    """Each service's database, as the product itself opens it."""

    url_for: Mapping[str, str]
    schema_for: Mapping[str, str]

    async def open(self) -> dict[str, Database]:
        return {
            service: await connect(self.url_for[service], schema=self.schema_for[service])
            for service in SERVICES
        }


async def _events(db: Database, types: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(types)
    marks = ", ".join(f"${i + 1}" for i in range(len(wanted)))
    async with db.transaction() as conn:
        rows = await conn.fetch(
            f"SELECT event_type, data FROM stored_event WHERE event_type IN ({marks})", *wanted
        )
    return [{"type": row["event_type"], **_json(row["data"])} for row in rows]


def _json(value: Any) -> dict[str, Any]:
    return dict(json.loads(value)) if isinstance(value, str | bytes) else dict(value)


async def _rows(db: Database, sql: str) -> list[Row]:
    async with db.transaction() as conn:
        return await conn.fetch(sql)


async def unsettled(dbs: Mapping[str, Database], history: History) -> list[str]:
    """Accepted orders neither ended nor explicitly held: still on their way (or lost)."""
    rows = await _rows(dbs["order"], "SELECT order_id, status, holds FROM order_summary")
    known = {row["order_id"]: row for row in rows}
    return [
        order_id
        for order_id in history.orders
        if order_id not in known
        or (known[order_id]["status"] not in SETTLED and json.loads(known[order_id]["holds"]) == [])
    ]


def _repeated_credit_decisions(
    decisions: list[dict[str, Any]], checks: list[dict[str, Any]]
) -> int:
    per_order = Counter(event["order_id"] for event in decisions)
    allowed = Counter(event["order_id"] for event in checks)
    return sum(1 for order_id, count in per_order.items() if count > allowed[order_id])


def _over(amounts: Mapping[tuple[str, str], int], history: History) -> int:
    """Order lines that got more than was ever asked for them."""
    return sum(
        1
        for (order_id, sku), amount in amounts.items()
        if order_id in history.orders and amount > history.orders[order_id].get(sku, 0)
    )


async def _stock(dbs: Mapping[str, Database], history: History) -> dict[str, int]:
    inventory = dbs["inventory"]
    reserved = await _events(inventory, ["StockReserved"])
    shipped = await _events(inventory, ["StockShipped"])
    most_reserved: dict[tuple[str, str], int] = defaultdict(int)
    for event in reserved:
        key = (event["order_id"], event["sku"])
        most_reserved[key] = max(most_reserved[key], event["reserved_total"])
    shipped_units: dict[tuple[str, str], int] = defaultdict(int)
    shipped_per_sku: Counter[str] = Counter()
    for event in shipped:
        shipped_units[(event["order_id"], event["sku"])] += event["quantity"]
        shipped_per_sku[event["sku"]] += event["quantity"]
    levels = await _rows(inventory, "SELECT sku, on_hand, reserved FROM stock_level")
    return {
        "lines_reserved_beyond_ordered": _over(most_reserved, history),
        "lines_shipped_beyond_ordered": _over(shipped_units, history),
        "skus_negative_or_over_reserved": sum(
            1
            for row in levels
            if row["on_hand"] < 0 or row["reserved"] < 0 or row["reserved"] > row["on_hand"]
        ),
        "skus_not_conserved": sum(
            1
            for row in levels
            if row["sku"] in history.received
            and row["on_hand"] != history.received[row["sku"]] - shipped_per_sku[row["sku"]]
        ),
    }


async def _fulfillment(dbs: Mapping[str, Database], history: History) -> dict[str, int]:
    fulfillment = dbs["fulfillment"]
    shipped = Counter(e["shipment_id"] for e in await _events(fulfillment, ["ShipmentShipped"]))
    invoiced = Counter(e["shipment_id"] for e in await _events(fulfillment, ["InvoiceIssued"]))
    paid: Counter[str] = Counter()
    for event in await _events(fulfillment, ["PaymentRecorded"]):
        paid[event["invoice_id"]] += event["amount_cents"]
    return {
        "shipments_shipped_twice": sum(1 for count in shipped.values() if count > 1),
        "shipments_invoiced_twice": sum(1 for count in invoiced.values() if count > 1),
        "shipped_without_invoice": sum(1 for shipment in shipped if shipment not in invoiced),
        "invoices_paid_other_than_once": sum(
            1 for invoice, cents in history.paid.items() if paid[invoice] != cents
        ),
    }


async def _repeated_reactions(dbs: Mapping[str, Database]) -> int:
    """Events recorded twice in reaction to one consumed event: the inbox let one through twice."""
    repeated = 0
    for db in dbs.values():
        rows = await _rows(db, "SELECT stream_id, event_type, data, metadata FROM stored_event")
        seen: Counter[tuple[str, str, str, str]] = Counter()
        for row in rows:
            cause = _json(row["metadata"]).get("causation_id")
            if cause:
                data = json.dumps(_json(row["data"]), sort_keys=True)
                seen[(str(cause), row["stream_id"], row["event_type"], data)] += 1
        repeated += sum(1 for count in seen.values() if count > 1)
    return repeated


async def check(dbs: Mapping[str, Database], history: History) -> dict[str, int]:
    """Every count here must be 0 for the run to pass."""
    decisions = await _events(dbs["credit"], DECISIONS)
    checks = await _events(dbs["order"], CHECKS)
    return {
        "lost_orders": len(await unsettled(dbs, history)),
        "repeated_credit_decisions": _repeated_credit_decisions(decisions, checks),
        **await _stock(dbs, history),
        **await _fulfillment(dbs, history),
        "repeated_reactions": await _repeated_reactions(dbs),
        "server_errors": sum(n for status, n in history.statuses.items() if status >= 500)
        - history.statuses[503],
    }
