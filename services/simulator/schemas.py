"""HTTP models of the simulator API."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.simulator.commands import MAX_DELAY_MS
from shared.limits import Whole


class SimulatorPut(BaseModel):
    """Fields left out keep their current value."""

    model_config = ConfigDict(extra="forbid")

    pick_delay_ms: Annotated[int, Whole, Field(ge=0, le=MAX_DELAY_MS, strict=True)] | None = None
    ship_delay_ms: Annotated[int, Whole, Field(ge=0, le=MAX_DELAY_MS, strict=True)] | None = None
    failure_rate: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    paused: bool | None = None
    short_pick_rate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Share of picks that confirm one unit less of their first line",
    )


class TaskCounts(BaseModel):
    waiting: int
    answered: int
    lost: int
    cancelled: int


class SimulatorPublic(BaseModel):
    pick_delay_ms: int
    ship_delay_ms: int
    failure_rate: float
    paused: bool
    short_pick_rate: float
    tasks: dict[str, TaskCounts] = Field(description="Tasks by kind (pick, ship) and status.")
