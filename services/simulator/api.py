"""Simulator HTTP API: ops tune delays, failure rate and pause; staff read the floor."""

from fastapi import APIRouter

from services.simulator import views
from services.simulator.commands import TuneSimulator
from services.simulator.domain import SimulatorSettings
from services.simulator.schemas import SimulatorPublic, SimulatorPut
from shared.auth import Ops, Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/simulator", tags=["simulator"])

    async def public() -> SimulatorPublic:
        settings = await runtime.current(SimulatorSettings, SimulatorSettings.ID)
        async with runtime.db.transaction() as conn:
            counts = await views.counts(conn)
        settings = settings or SimulatorSettings()
        return SimulatorPublic(**settings.current.model_dump(), tasks=counts)

    @router.get("", response_model=SimulatorPublic)
    async def get_simulator(_: Staff) -> SimulatorPublic:
        """Settings of the simulated WMS/TMS and its tasks by status."""
        return await public()

    @router.put("", response_model=SimulatorPublic)
    async def put_simulator(body: SimulatorPut, _: Ops) -> SimulatorPublic:
        """Tune delays, failure rate and pause; every change is recorded as an event."""
        command = TuneSimulator(**body.model_dump())
        await runtime.send(command)
        return await public()

    return [router]
