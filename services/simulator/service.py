"""The simulated WMS/TMS as the runtime sees it: its own group, database and HTTP routes."""

from datetime import timedelta

from services.simulator import api, inbound, views
from services.simulator.commands import AnswerDueTasks, TuneSimulator
from services.simulator.domain import SimulatorSettings, Task
from services.simulator.events import PUBLISHED, Delivered, Packed, Picked, Shipped
from services.simulator.handlers import Simulation, tune_simulator
from shared.consumer import Route
from shared.runtime import Schedule, ServiceDefinition, Subscriptions
from shared.topics import (
    TMS_CONFIRMATIONS,
    TMS_SHIPMENT_REQUESTS,
    WMS_CONFIRMATIONS,
    WMS_PICK_REQUESTS,
)

ANSWER_EVERY = timedelta(milliseconds=200)


def simulator_definition(simulation: Simulation | None = None) -> ServiceDefinition:
    """Tests pass a Simulation with a frozen clock and a seeded random generator."""
    sim = simulation or Simulation()
    return ServiceDefinition(
        name="simulator",
        published=PUBLISHED,
        published_elsewhere={
            Picked: WMS_CONFIRMATIONS,
            Packed: WMS_CONFIRMATIONS,
            Shipped: TMS_CONFIRMATIONS,
            Delivered: TMS_CONFIRMATIONS,
        },
        subscriptions=(
            Subscriptions(
                topics=(WMS_PICK_REQUESTS, TMS_SHIPMENT_REQUESTS),
                routes={
                    "PickRequested": Route(inbound.Request, sim.take_pick_when_pick_requested),
                    "PickCancelled": Route(inbound.Request, sim.drop_pick_when_pick_cancelled),
                    "ShipmentRequested": Route(
                        inbound.ShipmentRequest, sim.take_shipment_when_shipment_requested
                    ),
                    "ShipmentRequestAmended": Route(
                        inbound.ShipmentRequest,
                        sim.readdress_shipment_when_shipment_request_amended,
                    ),
                    "ShipmentRequestCancelled": Route(
                        inbound.Request, sim.drop_shipment_when_shipment_request_cancelled
                    ),
                },
            ),
        ),
        aggregates=(SimulatorSettings, Task),
        commands={TuneSimulator: tune_simulator, AnswerDueTasks: sim.answer_due_tasks},
        projections=(views.project,),
        read_models=views.metadata,
        routers=api.ROUTERS,
        schedules=(Schedule.sending("answer due tasks", ANSWER_EVERY, AnswerDueTasks),),
    )


DEFINITION = simulator_definition()
