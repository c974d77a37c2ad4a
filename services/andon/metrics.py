"""Andon metrics for Prometheus, read from the andon board (the read model is the truth).

Counting in handlers would count a consumer batch that later rolls back, and a rebuild would
count again; so a schedule takes a snapshot of the board and a collector serves it. Every replica
serves the same numbers: aggregate them with max(), not sum().
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from services.andon import views
from shared.db import Connection
from shared.http import serve_on_metrics

BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 24 * 3600.0, 7 * 24 * 3600.0)


@dataclass
class BoardSnapshot:
    # (category, automatic) -> pulls
    pulls: dict[tuple[str, bool], int] = field(default_factory=dict)
    open: dict[str, int] = field(default_factory=dict)
    # category -> seconds to resolve of every resolved pull
    resolve_seconds: dict[str, list[float]] = field(default_factory=dict)
    open_gaps: dict[str, int] = field(default_factory=dict)


class AndonCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = BoardSnapshot()

    def collect(self) -> Iterator[Metric]:
        pulls = CounterMetricFamily(
            "gapless_andon_pulls", "Andon pulls", labels=["category", "automatic"]
        )
        for (category, automatic), count in sorted(self.snapshot.pulls.items()):
            pulls.add_metric([category, str(automatic).lower()], count)
        yield pulls
        open_pulls = GaugeMetricFamily(
            "gapless_andon_open_pulls", "Open pulls", labels=["category"]
        )
        for category, count in sorted(self.snapshot.open.items()):
            open_pulls.add_metric([category], count)
        yield open_pulls
        yield self._resolve_histogram()
        gaps = GaugeMetricFamily(
            "gapless_open_gaps", "Orders whose awaited hand-off is overdue", labels=["step"]
        )
        for step, count in sorted(self.snapshot.open_gaps.items()):
            gaps.add_metric([step], count)
        yield gaps

    def _resolve_histogram(self) -> Metric:
        histogram = HistogramMetricFamily(
            "gapless_andon_seconds_to_resolve", "Pulled to resolved", labels=["category"]
        )
        for category, seconds in sorted(self.snapshot.resolve_seconds.items()):
            histogram.add_metric([category], _buckets(seconds), sum_value=sum(seconds))
        return histogram


def _buckets(seconds: Sequence[float]) -> list[tuple[str, float]]:
    cumulative = [(str(bound), float(sum(1 for s in seconds if s <= bound))) for bound in BUCKETS]
    return [*cumulative, ("+Inf", float(len(seconds)))]


COLLECTOR = AndonCollector()


def register() -> None:
    """Serve the andon metrics on /metrics."""
    serve_on_metrics(COLLECTOR)


async def refresh(conn: Connection) -> BoardSnapshot:
    snapshot = BoardSnapshot()
    for row in await views.pulls.stats_by_kind(conn):
        key = (row["category"], bool(row["automatic"]))
        snapshot.pulls[key] = snapshot.pulls.get(key, 0) + int(row["pull_count"])
        snapshot.open[row["category"]] = snapshot.open.get(row["category"], 0) + int(
            row["open_count"]
        )
    for row in await views.pulls.resolve_times(conn):
        snapshot.resolve_seconds.setdefault(row["category"], []).append(
            float(row["seconds_to_resolve"])
        )
    for step, count in (await views.watch.open_gap_counts(conn)).items():
        snapshot.open_gaps[step] = count
    COLLECTOR.snapshot = snapshot
    return snapshot
