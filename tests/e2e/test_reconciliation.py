"""Reconciliation: no order is lost across SIGKILLs; one deliberately lost hand-off is named.

A stack of its own per runtime whose watchdog timeouts are seconds, not minutes, so that a lost
hand-off is overdue within the test (the shared stacks keep the defaults). The timeouts stay
above what a restart of the whole stack takes, so the kill itself never looks like a gap.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from shared.envelope import Envelope
from tests.e2e.clients import SHIP_TO, Api, eventually
from tests.e2e.conftest import stack_of_its_own
from tests.e2e.stack import Stack, inject

pytestmark = pytest.mark.e2e

TIMEOUT = 10
RECONCILE_SETTINGS = {
    "GAPLESS_SEED_DEMO": "false",
    "GAPLESS_ANDON__ANSWER_TIMEOUT_SECONDS": str(TIMEOUT),
    "GAPLESS_ANDON__RELEASE_GRACE_SECONDS": str(TIMEOUT),
    "GAPLESS_ANDON__SHIPMENT_TIMEOUT_SECONDS": str(TIMEOUT),
}


stack = stack_of_its_own("reconcile", RECONCILE_SETTINGS)


def _lost(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(str(h["order_id"]), h["step"], h["service"]) for h in report["lost"]]


def _kill_and_restart(stack: Stack) -> None:
    """SIGKILL every process of the stack (no shutdown code runs), then start them again."""
    for process in stack.processes.values():
        process.kill()
    stack.start()


async def test_after_every_process_is_killed_mid_flow_reconciliation_finds_no_lost_order(
    api: Api,
) -> None:
    customer = await api.new_customer("killed")
    sku = await api.new_item("killed", stock=100)
    placing = (api.place_order(customer, [(sku, 1 + i % 3)]) for i in range(10))
    orders = list(await asyncio.gather(*placing))
    in_flight = [(await api.order(order_id))["status"] for order_id in orders]

    _kill_and_restart(api.stack)

    assert any(status != "shipped" for status in in_flight), "the kill should land mid-flow"
    for order_id in orders:
        await api.wait_for_order(order_id, lambda o: o["status"] == "shipped", within=60)
    report = await api.reconcile()
    assert report["checked"] >= len(orders), report
    assert _lost(report) == [], report
    assert [g for g in await api.gaps() if str(g["order_id"]) in orders] == []


async def test_a_hand_off_lost_before_it_took_effect_is_reported_with_its_order_and_step(
    api: Api,
) -> None:
    customer = await api.new_customer("reconciled")
    sku = await api.new_item("reconciled")
    control = await api.place_order(customer, [(sku, 1)])
    lost = str(uuid4())
    # Exactly one hand-off is lost: credit's copy of an OrderPlaced. The envelope is as the order
    # service writes it, but without `total_cents`, which only credit needs: credit's consumer
    # refuses it and dead-letters it, so the event leaves credit's input before it takes effect.
    # Inventory (it backorders the line) and the watchdog read it as usual. The credit answer is
    # then owed and never comes, and of all steps only the credit check is paused by no hold
    # (an andon pauses stock, release and shipment clocks, and the watchdog's own pull on the
    # gap would pause those), so the report names it however soon the watchdog reacts.
    await inject(api.stack, "order.events", key=lost, value=_order_placed(lost, customer, sku))

    async def reported() -> dict[str, Any]:
        report = await api.reconcile()
        assert any(str(h["order_id"]) == lost for h in report["lost"]), report
        return report

    report = await eventually(reported, timeout=TIMEOUT + 20, interval=0.5)

    ours = [hand_off for hand_off in _lost(report) if hand_off[0] in (lost, control)]
    assert ours == [(lost, "credit_check", "credit")], report
    assert _lost(report) == ours, "nothing else on this stack is lost"
    # The watchdog saw the same gap and pulled an andon on the order.
    gaps = await eventually(lambda: _gap_of(api, lost), timeout=20, interval=0.2)
    assert gaps["step"] == "credit_check" and gaps["pull_id"] is not None, gaps


async def _gap_of(api: Api, order_id: str) -> dict[str, Any]:
    gaps = [g for g in await api.gaps() if str(g["order_id"]) == order_id]
    assert len(gaps) == 1, gaps
    return gaps[0]


def _order_placed(order_id: str, customer_id: str, sku: str) -> bytes:
    now = datetime.now(UTC)
    data = {
        "order_id": order_id,
        "received_at": now.isoformat(),
        "customer_id": customer_id,
        "channel": "e2e",
        "external_id": f"ext-{order_id[:8]}",
        "lines": [{"sku": sku, "quantity": 1, "unit_price_cents": 1_000}],
        "ship_to": SHIP_TO,
        "segment": "CC",
        "priority": 1,
        "deadline": (now + timedelta(days=1)).isoformat(),
        "backorder_rule": "wait_complete",
    }
    envelope = Envelope(
        event_id=uuid4(),
        event_type="OrderPlaced",
        event_version=1,
        source="order",
        aggregate_id=order_id,
        aggregate_version=1,
        occurred_at=now,
        correlation_id=order_id,
        causation_id=None,
        data=data,
    )
    return envelope.to_json()
