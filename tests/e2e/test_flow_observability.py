"""What ops see of a flow without opening the database: /metrics counts the scenario's orders,
hand-off latencies and holds, and the logs tell one order's hand-offs by its correlation id."""

import json
from datetime import datetime
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from shared.testing.polling import eventually
from tests.e2e.clients import Api
from tests.e2e.stack import Stack

# Hand-offs of one order that some service must have taken over, with the taker.
EXPECTED_HAND_OFFS = {
    ("OrderPlaced", "inventory"),
    ("OrderPlaced", "credit"),
    ("OrderPlaced", "andon"),
    ("CreditApproved", "order"),
    ("StockReserved", "order"),
    ("OrderReleased", "fulfillment"),
    ("PickRequested", "order"),
    ("PickRequested", "simulator"),
    ("ShipmentShipped", "order"),
    ("InvoiceIssued", "order"),
    ("InvoicePaid", "order"),
}


def _order_url(stack: Stack, path: str) -> str:
    process = stack.processes.get("embedded") or stack.processes["order"]
    return process.url + path


async def _samples(client: httpx.AsyncClient, stack: Stack) -> dict[tuple[str, str], float]:
    text = (await client.get(_order_url(stack, "/metrics"))).text
    return {
        (sample.name, json.dumps(sample.labels, sort_keys=True)): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[tuple[str, str], float], name: str, **labels: str) -> float:
    return samples.get((name, json.dumps(labels, sort_keys=True)), 0.0)


def _log_lines(stack: Stack) -> list[dict[str, Any]]:
    lines = []
    for path in sorted(stack.folder.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
    return lines


async def test_metrics_count_the_flow_and_logs_tell_one_orders_hand_offs(
    fresh_stack: Stack, fresh_api: Api
) -> None:
    customer = await fresh_api.new_customer("observed")
    sku = await fresh_api.new_item("observed", stock=20)
    orders = [await fresh_api.place_order(customer, [(sku, 1 + n)]) for n in range(3)]
    for order_id in orders:
        await fresh_api.wait_for_status(order_id, "shipped", within=60)
    paid = orders[0]

    async def invoiced() -> list[dict[str, Any]]:
        invoices = await fresh_api.invoices(paid)
        assert invoices
        return invoices

    for invoice in await eventually(invoiced, timeout=30):
        answer = await fresh_api.pay(invoice["invoice_id"], invoice["total_cents"])
        assert answer.status_code in (200, 201), answer.text
    await fresh_api.wait_for_status(paid, "completed", within=30)

    async with httpx.AsyncClient(timeout=10) as client:

        async def counted() -> dict[tuple[str, str], float]:
            samples = await _samples(client, fresh_stack)
            assert _value(samples, "gapless_orders", status="completed") == 1
            assert _value(samples, "gapless_orders", status="shipped") == 2
            for hand_off in (
                "credit_answered",
                "stock_answered",
                "released",
                "pick_requested",
                "shipped",
            ):
                count = _value(samples, "gapless_handoff_seconds_count", hand_off=hand_off)
                assert count == 3, hand_off
            assert _value(samples, "gapless_handoff_seconds_count", hand_off="invoiced") == 3
            assert _value(samples, "gapless_holds_opened_total", kind="credit_review") == 0
            # Idle now: every consumer of the order service has committed what it read.
            assert _value(samples, "gapless_consumer_lag", group="order") == 0
            return samples

        await eventually(counted, timeout=30, interval=0.5)

    def logged() -> list[dict[str, Any]]:
        lines = [
            line
            for line in _log_lines(fresh_stack)
            if line.get("message") == "hand-off" and line.get("correlation_id") == paid
        ]
        seen = {(line["event"], line["consumer"]) for line in lines}
        assert seen >= EXPECTED_HAND_OFFS, EXPECTED_HAND_OFFS - seen
        return lines

    async def logged_async() -> list[dict[str, Any]]:
        return logged()

    lines = await eventually(logged_async, timeout=20, interval=0.5)
    for line in lines:
        assert datetime.fromisoformat(line["time"]).tzinfo is not None, line["time"]
        assert line["order_id"] == paid
        assert line["latency_seconds"] >= 0
        assert line["service"] and "causation_id" in line and line["event_id"]
    # One line per hand-off: a redelivered event is not logged twice by the same taker.
    taken = [(line["event_id"], line["consumer"]) for line in lines]
    assert len(taken) == len(set(taken))
