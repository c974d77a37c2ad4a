"""Simulator use cases and HTTP API through its real runtime on SQLite, with a frozen clock."""

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from services.simulator.commands import AnswerDueTasks
from services.simulator.handlers import Simulation
from services.simulator.service import simulator_definition
from shared.clock import FrozenClock
from shared.replay import rebuild_read_models
from shared.topics import TMS_SHIPMENT_REQUESTS, WMS_PICK_REQUESTS
from tests.unit.fulfillment.harness import NOW, Harness, as_ops, as_staff, harness, http_client


@pytest.fixture
def simulation() -> Simulation:
    return Simulation(clock=FrozenClock(NOW), rng=random.Random(7))


@pytest.fixture
async def simulator(tmp_path: Path, simulation: Simulation) -> AsyncIterator[Harness]:
    clock = simulation.clock
    assert isinstance(clock, FrozenClock)
    async with harness(simulator_definition(simulation), tmp_path, clock=clock) as running:
        yield running


@pytest.fixture
async def client(simulator: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(simulator) as running:
        yield running


async def request_pick(simulator: Harness, order_id: UUID, *, kind: str = "PickRequested") -> str:
    shipment_id = str(uuid4())
    topic = WMS_PICK_REQUESTS if kind.startswith("Pick") else TMS_SHIPMENT_REQUESTS
    data = {"shipment_id": shipment_id, "order_id": str(order_id), "wave_id": str(uuid4())}
    await simulator.deliver(topic, kind, data, order_id=order_id)
    return shipment_id


async def answer(simulator: Harness, simulation: Simulation, *, after_ms: int) -> int:
    assert isinstance(simulation.clock, FrozenClock)
    simulation.clock.advance(timedelta(milliseconds=after_ms))
    return await simulation.answer_due_tasks(AnswerDueTasks(), simulator.runtime.unit_of_work())


async def tune(client: httpx.AsyncClient, **settings: object) -> httpx.Response:
    return await client.put("/v1/simulator", json=settings, headers=as_ops())


async def test_a_pick_request_is_answered_picked_then_packed_once_due(
    simulator: Harness, simulation: Simulation
) -> None:
    order_id = uuid4()
    shipment_id = await request_pick(simulator, order_id)

    early = await answer(simulator, simulation, after_ms=199)
    due = await answer(simulator, simulation, after_ms=1)
    again = await answer(simulator, simulation, after_ms=1_000)

    answers = await simulator.outgoing()
    assert (early, due, again) == (0, 1, 0)
    assert [(m.topic, m.event_type) for m in answers] == [
        ("wms.confirmations", "Picked"),
        ("wms.confirmations", "Packed"),
    ]
    assert {(m.data["shipment_id"], m.correlation_id) for m in answers} == {
        (shipment_id, str(order_id))
    }


async def test_a_shipment_request_is_answered_shipped_then_delivered_on_the_tms_topic(
    simulator: Harness, simulation: Simulation
) -> None:
    await request_pick(simulator, uuid4(), kind="ShipmentRequested")

    await answer(simulator, simulation, after_ms=200)

    assert await simulator.outgoing_types() == [
        ("tms.confirmations", "Shipped"),
        ("tms.confirmations", "Delivered"),
    ]


async def test_a_cancelled_pick_is_never_answered(
    simulator: Harness, simulation: Simulation
) -> None:
    order_id = uuid4()
    shipment_id = await request_pick(simulator, order_id)
    cancel = {"shipment_id": shipment_id, "order_id": str(order_id), "reason": "cancelled"}

    await simulator.deliver(WMS_PICK_REQUESTS, "PickCancelled", cancel, order_id=order_id)
    await answer(simulator, simulation, after_ms=10_000)

    assert await simulator.outgoing() == []


async def test_while_paused_nothing_is_answered_and_unpausing_answers_what_waited(
    simulator: Harness, simulation: Simulation, client: httpx.AsyncClient
) -> None:
    await tune(client, paused=True)
    await request_pick(simulator, uuid4())

    await answer(simulator, simulation, after_ms=60_000)
    while_paused = await simulator.outgoing()
    await tune(client, paused=False)
    await answer(simulator, simulation, after_ms=0)

    assert while_paused == []
    assert [t for _, t in await simulator.outgoing_types()] == ["Picked", "Packed"]


async def test_with_a_failure_rate_of_one_every_task_is_lost_and_counted(
    simulator: Harness, simulation: Simulation, client: httpx.AsyncClient
) -> None:
    await tune(client, failure_rate=1)
    await request_pick(simulator, uuid4())
    await request_pick(simulator, uuid4(), kind="ShipmentRequested")

    await answer(simulator, simulation, after_ms=60_000)
    shown = (await client.get("/v1/simulator", headers=as_staff())).json()

    assert await simulator.outgoing() == []
    assert shown["tasks"]["pick"] == {"waiting": 0, "answered": 0, "lost": 1, "cancelled": 0}
    assert shown["tasks"]["ship"]["lost"] == 1


async def test_new_delays_apply_to_requests_received_after_the_change(
    simulator: Harness, simulation: Simulation, client: httpx.AsyncClient
) -> None:
    await tune(client, pick_delay_ms=5_000)
    await request_pick(simulator, uuid4())

    early = await answer(simulator, simulation, after_ms=4_999)
    due = await answer(simulator, simulation, after_ms=1)

    assert (early, due) == (0, 1)


class TestSettingsApi:
    async def test_the_defaults_are_shown_to_staff(self, client: httpx.AsyncClient) -> None:
        shown = await client.get("/v1/simulator", headers=as_staff())

        assert shown.status_code == 200
        assert {k: v for k, v in shown.json().items() if k != "tasks"} == {
            "pick_delay_ms": 200,
            "ship_delay_ms": 200,
            "failure_rate": 0.0,
            "paused": False,
            "short_pick_rate": 0.0,
        }

    async def test_settings_are_events_so_they_survive_a_restart(
        self, tmp_path: Path, simulation: Simulation
    ) -> None:
        body = {"pick_delay_ms": 50, "ship_delay_ms": 75, "failure_rate": 0.1, "paused": True}
        definition = simulator_definition(simulation)
        async with harness(definition, tmp_path) as first, http_client(first) as client:
            assert (await tune(client, **body)).status_code == 200

        async with harness(definition, tmp_path) as restarted, http_client(restarted) as client:
            shown = (await client.get("/v1/simulator", headers=as_staff())).json()

        assert {k: shown[k] for k in body} == body

    async def test_bad_settings_are_refused_naming_each_field(
        self, client: httpx.AsyncClient
    ) -> None:
        refused = await tune(client, failure_rate=1.5, pick_delay_ms=-1, paused=True)
        shown = (await client.get("/v1/simulator", headers=as_staff())).json()

        assert refused.status_code == 422
        assert sorted(e["field"] for e in refused.json()["errors"]) == [
            "failure_rate",
            "pick_delay_ms",
        ]
        assert shown["paused"] is False

    async def test_only_ops_tune_the_simulator(self, client: httpx.AsyncClient) -> None:
        refused = await client.put("/v1/simulator", json={"paused": True}, headers=as_staff())

        assert refused.status_code == 403


async def test_the_task_read_model_rebuilds_identically(
    simulator: Harness, simulation: Simulation
) -> None:
    await request_pick(simulator, uuid4())
    await request_pick(simulator, uuid4(), kind="ShipmentRequested")
    await answer(simulator, simulation, after_ms=200)
    await request_pick(simulator, uuid4())

    report = await rebuild_read_models(
        simulator.runtime.db, simulator.runtime.definition, check_only=True
    )

    assert report.events > 0 and report.identical
