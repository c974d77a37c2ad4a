"""Commands the simulator accepts."""

from pydantic import Field

from shared.messages import Command

MAX_DELAY_MS = 3_600_000


class TuneSimulator(Command):
    """Unset fields keep their current value."""

    pick_delay_ms: int | None = Field(default=None, ge=0, le=MAX_DELAY_MS)
    ship_delay_ms: int | None = Field(default=None, ge=0, le=MAX_DELAY_MS)
    failure_rate: float | None = Field(default=None, ge=0, le=1)
    paused: bool | None = None
    short_pick_rate: float | None = Field(default=None, ge=0, le=1)


class AnswerDueTasks(Command):
    """Send the warehouse's and carrier's answers whose delay is up."""
