"""Prometheus metrics of the order flow, read from the KPI read model (the truth).

As for the andon metrics: counting in handlers would count a batch that later rolls back, and a
rebuild would count again, so a schedule snapshots `kpi_status` and `kpi_total` and a collector
serves the snapshot. Every replica serves the same numbers: aggregate them with max(), not sum().
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from services.order.domain.kpis import HAND_OFFS, HOLD_KINDS, LATENCY_BUCKETS
from services.order.views import kpis
from shared.db import Connection
from shared.http import serve_on_metrics


@dataclass
class FlowSnapshot:
    statuses: dict[str, int] = field(default_factory=dict)
    totals: dict[tuple[str, str], int] = field(default_factory=dict)


class FlowCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = FlowSnapshot()

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot
        orders = GaugeMetricFamily("gapless_orders", "Orders by status", labels=["status"])
        for status, count in sorted(snapshot.statuses.items()):
            orders.add_metric([status], count)
        yield orders
        for name, metric in (("opened", "holds_opened"), ("lifted", "holds_lifted")):
            holds = CounterMetricFamily(
                f"gapless_holds_{name}", f"Order holds {name}, by kind", labels=["kind"]
            )
            for kind in HOLD_KINDS:
                holds.add_metric([kind], snapshot.totals.get((metric, kind), 0))
            yield holds
        yield self._latency()

    def _latency(self) -> Metric:
        histogram = HistogramMetricFamily(
            "gapless_handoff_seconds",
            "Order accepted to each hand-off (first time), seconds",
            labels=["hand_off"],
        )
        for step in HAND_OFFS:
            counts, cumulative = [], 0
            for bound in (*LATENCY_BUCKETS, None):
                label = "+Inf" if bound is None else str(bound)
                cumulative += self.snapshot.totals.get((f"latency:{step}", label), 0)
                counts.append((f"{float(bound)}" if bound else "+Inf", float(cumulative)))
            seconds = self.snapshot.totals.get((f"latency_ms:{step}", ""), 0) / 1000
            histogram.add_metric([step], counts, sum_value=seconds)
        return histogram


COLLECTOR = FlowCollector()


def register() -> None:
    """Serve the flow metrics on /metrics."""
    serve_on_metrics(COLLECTOR)


async def refresh(conn: Connection) -> FlowSnapshot:
    snapshot = FlowSnapshot(
        statuses=await kpis.status_counts(conn), totals=await kpis.all_time_totals(conn)
    )
    COLLECTOR.snapshot = snapshot
    return snapshot
