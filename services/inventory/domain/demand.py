"""Demand per SKU over time, and the spike rule of schemas/flows.md (SPEC §2.7)."""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

RECENT_WINDOW = timedelta(minutes=10)
BASELINE_SPAN = timedelta(hours=24)
SPIKE_MIN_UNITS = 20
SPIKE_FACTOR = 5
SPIKE_COOLDOWN = timedelta(minutes=10)
_WINDOWS_PER_BASELINE = BASELINE_SPAN / RECENT_WINDOW


@dataclass
class DemandWindow:
    """Units requested, with the time of each request, over the last 24 h and 10 min."""

    entries: deque[tuple[datetime, int]] = field(default_factory=deque)
    latest: datetime | None = None
    last_spike_at: datetime | None = None

    def record(self, at: datetime, units: int) -> None:
        self.entries.append((at, units))
        self.latest = at if self.latest is None else max(self.latest, at)
        horizon = self.latest - BASELINE_SPAN - RECENT_WINDOW
        # Requests arrive in (nearly) time order, so the oldest sit at the left end.
        while self.entries and self.entries[0][0] <= horizon:
            self.entries.popleft()

    def spike(self, now: datetime) -> tuple[int, float] | None:
        """(recent units, baseline units per 10 min) when demand spikes at `now`, else None."""
        if self.last_spike_at is not None and now - self.last_spike_at < SPIKE_COOLDOWN:
            return None
        recent_from = now - RECENT_WINDOW
        recent = sum(units for at, units in self.entries if recent_from < at <= now)
        before = sum(
            units for at, units in self.entries if recent_from - BASELINE_SPAN < at <= recent_from
        )
        baseline = before / _WINDOWS_PER_BASELINE
        if recent >= SPIKE_MIN_UNITS and recent > SPIKE_FACTOR * max(baseline, 1.0):
            return recent, round(baseline, 2)
        return None
