"""Simulator HTTP API: ops tune delays, failure rate and pause; staff read the floor."""

from typing import Annotated

from fastapi import APIRouter

from services.simulator import views
from services.simulator.commands import TuneSimulator
from services.simulator.domain import SimulatorSettings
from services.simulator.schemas import SimulatorPublic, SimulatorPut
from shared.auth import Ops, Staff
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("simulator")]

router = APIRouter(prefix="/v1/simulator", tags=["simulator"])


@router.get("", response_model=SimulatorPublic)
async def get_simulator(_: Staff, runtime: Runtime) -> SimulatorPublic:
    """Settings of the simulated WMS/TMS and its tasks by status."""
    return await _public(runtime)


@router.put("", response_model=SimulatorPublic)
async def put_simulator(body: SimulatorPut, _: Ops, runtime: Runtime) -> SimulatorPublic:
    """Tune delays, failure rate and pause; every change is recorded as an event."""
    await runtime.send(TuneSimulator(**body.model_dump()))
    return await _public(runtime)


async def _public(runtime: ServiceRuntime) -> SimulatorPublic:
    settings = await runtime.current(SimulatorSettings, SimulatorSettings.ID)
    async with runtime.db.transaction() as conn:
        counts = await views.counts(conn)
    settings = settings or SimulatorSettings()
    return SimulatorPublic(**settings.current.model_dump(), tasks=counts)


ROUTERS = (router,)
