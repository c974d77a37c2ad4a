"""Demand per SKU over time, and the spike rule of schemas/flows.md (SPEC §2.7)."""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

RECENT_WINDOW = timedelta(minutes=10)
BASELINE_SPAN = timedelta(hours=24)
SPIKE_MIN_UNITS = 20
SPIKE_FACTOR = 5
SPIKE_COOLDOWN = timedelta(minutes=10)
_WINDOWS_PER_BASELINE = BASELINE_SPAN / RECENT_WINDOW


@dataclass
class DemandWindow:
    """Units requested in the 10 minutes up to the latest request and in the 24 h before them.

    Kept as running totals over per-second (recent) and per-minute (baseline) buckets, so a
    check costs the same on a best-seller's millionth request as on its first, and the state
    stays bounded (at most 600 + 1,450 buckets) however many orders a day brings. Requests
    arrive in (nearly) time order, so the oldest buckets sit at the left ends.
    """

    recent: deque[list[Any]] = field(default_factory=deque)
    baseline: deque[list[Any]] = field(default_factory=deque)
    recent_units: int = 0
    baseline_units: int = 0
    latest: datetime | None = None
    last_spike_at: datetime | None = None

    def record(self, at: datetime, units: int) -> None:
        self.latest = at if self.latest is None else max(self.latest, at)
        self.recent_units += _add(self.recent, at.replace(microsecond=0), units)
        recent_from = self.latest - RECENT_WINDOW
        while self.recent and self.recent[0][0] <= recent_from:
            second, moved = self.recent.popleft()
            self.recent_units -= moved
            self.baseline_units += _add(self.baseline, second.replace(second=0), moved)
        baseline_from = recent_from - BASELINE_SPAN
        while self.baseline and self.baseline[0][0] <= baseline_from:
            self.baseline_units -= self.baseline.popleft()[1]

    def spike(self, now: datetime) -> tuple[int, float] | None:
        """(recent units, baseline units per 10 min) when demand spikes at `now` (the latest
        request), else None."""
        if self.last_spike_at is not None and now - self.last_spike_at < SPIKE_COOLDOWN:
            return None
        recent = self.recent_units
        baseline = self.baseline_units / _WINDOWS_PER_BASELINE
        if recent >= SPIKE_MIN_UNITS and recent > SPIKE_FACTOR * max(baseline, 1.0):
            return recent, round(baseline, 2)
        return None


def _add(buckets: deque[list[Any]], start: datetime, units: int) -> int:
    """Count `units` in the bucket starting at `start` (the last one, or a new one)."""
    if buckets and buckets[-1][0] == start:
        buckets[-1][1] += units
    else:
        buckets.append([start, units])
    return units
