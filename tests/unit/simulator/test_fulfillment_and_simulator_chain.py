"""The whole chain in one process: release -> wave -> simulated WMS/TMS -> shipped, invoiced, paid.

Both services run their real background work (consumers, relays, schedules) on one in-memory
bus that delivers every message twice, so a missing idempotency guard shows up here.
"""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.fulfillment import views
from services.fulfillment.commands import RecordPayment
from services.fulfillment.domain import invoice_id_for, shipment_id_for
from services.fulfillment.service import DEFINITION as FULFILLMENT
from services.simulator import views as simulator_views
from services.simulator.commands import TuneSimulator
from services.simulator.handlers import Simulation
from services.simulator.service import simulator_definition
from shared.bus import OutgoingMessage
from shared.bus.memory import MemoryBroker
from shared.clock import SystemClock
from shared.envelope import CONTENT_TYPE
from shared.paging import PageQuery, Where
from shared.signal import ChangeSignal
from shared.testing import eventually
from shared.testing.builders import an_envelope
from tests.unit.fulfillment.builders import ORDER_EVENTS, released
from tests.unit.fulfillment.harness import Harness, harness


async def _wait_without_losing_a_cancel(ticket: asyncio.Event, timeout_seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_seconds):
            await ticket.wait()


@pytest.fixture(autouse=True)
def cancellable_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work around shared.signal.ChangeSignal.wait: on Python 3.11 `asyncio.wait_for` drops a
    cancel that lands as the awaited event fires, so stopping a runtime mid-flow can hang."""
    monkeypatch.setattr(ChangeSignal, "wait", staticmethod(_wait_without_losing_a_cancel))


@pytest.fixture
async def chain(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    broker = MemoryBroker(redeliver=True)
    clock = SystemClock()
    simulation = Simulation(clock=clock, rng=random.Random(3))
    async with AsyncExitStack() as stack:
        fulfillment = await stack.enter_async_context(
            harness(FULFILLMENT, tmp_path, clock=clock, broker=broker)
        )
        simulator = await stack.enter_async_context(
            harness(simulator_definition(simulation), tmp_path, clock=clock, broker=broker)
        )
        for running in (fulfillment, simulator):
            await running.runtime.start()
        yield fulfillment, simulator


async def publish_release(broker: MemoryBroker, order_id: UUID) -> None:
    await publish_order_event(broker, order_id, "OrderReleased", released(order_id))


async def publish_order_event(
    broker: MemoryBroker, order_id: UUID, event_type: str, data: dict[str, Any]
) -> None:
    envelope = an_envelope(
        event_type=event_type, data=data, correlation_id=order_id, source="order"
    )
    message = OutgoingMessage(
        topic=ORDER_EVENTS,
        key=str(order_id),
        value=envelope.to_json(),
        headers=(("content-type", CONTENT_TYPE.encode()),),
    )
    await broker.publish([message])


async def status_of(fulfillment: Harness, order_id: UUID) -> list[str]:
    async with fulfillment.runtime.db.transaction() as conn:
        return [
            s.status
            for s in (
                await views.shipments.shipments(
                    conn, Where().equal("order_id", str(order_id)), PageQuery()
                )
            ).rows
        ]


async def test_a_released_order_is_picked_shipped_delivered_invoiced_and_paid(
    chain: tuple[Harness, Harness],
) -> None:
    fulfillment, _ = chain
    order_id = uuid4()

    await publish_release(fulfillment.broker, order_id)

    async def delivered() -> None:
        assert await status_of(fulfillment, order_id) == ["delivered"]

    await eventually(delivered, timeout=10)
    invoice_id = invoice_id_for(shipment_id_for(order_id, 1))
    invoice = await fulfillment.runtime.send(
        RecordPayment(invoice_id=invoice_id, amount_cents=12_498)
    )
    assert invoice.status == "paid"
    published = [t for _, t in await fulfillment.outgoing_types()]
    assert published == [
        "PickRequested",
        "ShipmentRequested",
        "ShipmentShipped",
        "InvoiceIssued",
        "ShipmentDelivered",
        "PaymentRecorded",
        "InvoicePaid",
    ]
    assert fulfillment.dead_letters() == []


async def test_a_lost_pick_leaves_the_shipment_picking_for_the_gap_watchdog(
    chain: tuple[Harness, Harness],
) -> None:
    fulfillment, simulator = chain
    await simulator.runtime.send(TuneSimulator(failure_rate=1.0))
    order_id = uuid4()

    await publish_release(fulfillment.broker, order_id)

    async def lost() -> None:
        async with simulator.runtime.db.transaction() as conn:
            assert (await simulator_views.counts(conn))["pick"]["lost"] == 1

    await eventually(lost, timeout=10)
    assert await status_of(fulfillment, order_id) == ["picking"]


async def test_a_short_pick_of_the_simulated_wms_ships_and_invoices_one_unit_less(
    chain: tuple[Harness, Harness],
) -> None:
    fulfillment, simulator = chain
    await simulator.runtime.send(TuneSimulator(short_pick_rate=1.0))
    order_id = uuid4()

    await publish_release(fulfillment.broker, order_id)

    async def delivered() -> None:
        assert await status_of(fulfillment, order_id) == ["delivered"]

    await eventually(delivered, timeout=10)
    async with fulfillment.runtime.db.transaction() as conn:
        found = await views.invoices.invoices(
            conn, Where().equal("order_id", str(order_id)), PageQuery()
        )
    [invoice] = found.rows
    # The release asked for 2 RETRO-CLOCK at 4,999 and 1 TEAPOT at 2,500; one clock was short.
    assert invoice.total_cents == 4_999 + 2_500
    shorts = [m for m in await fulfillment.outgoing() if m.event_type == "ShipmentShortPicked"]
    assert [m.data["lines"] for m in shorts] == [[{"sku": "RETRO-CLOCK", "quantity": 1}]]
    assert fulfillment.dead_letters() == []


async def test_an_address_changed_while_the_carrier_has_the_request_reaches_the_carrier(
    chain: tuple[Harness, Harness],
) -> None:
    fulfillment, simulator = chain
    await simulator.runtime.send(TuneSimulator(pick_delay_ms=0, ship_delay_ms=1_500))
    order_id = uuid4()
    await publish_release(fulfillment.broker, order_id)

    async def packed() -> None:
        assert await status_of(fulfillment, order_id) == ["packed"]

    await eventually(packed, timeout=10)
    ship_to = released(order_id)["ship_to"] | {"city": "York"}
    changed = {"order_id": str(order_id), "lines": [], "changes": [], "ship_to": ship_to}
    await publish_order_event(fulfillment.broker, order_id, "OrderChanged", changed)

    async def delivered() -> None:
        assert await status_of(fulfillment, order_id) == ["delivered"]

    await eventually(delivered, timeout=10)
    [shipped] = [m for m in await simulator.outgoing() if m.event_type == "Shipped"]
    assert shipped.data["ship_to"]["city"] == "York"
    published = [t for _, t in await fulfillment.outgoing_types()]
    assert "ShipmentRequestAmended" in published
    assert "ShipmentAddressChangeRefused" not in published
