"""Chart of the orders benchmark: throughput and latency against the offered rate, per target."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on benchmark machines

from matplotlib import pyplot  # noqa: E402  (the backend is chosen before pyplot loads)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import LogFormatter  # noqa: E402

from bench.orders_figures import SUSTAINED_P99_MS  # noqa: E402


def draw(document: dict[str, Any], path: Path) -> None:
    figure, (throughput, released, intake) = pyplot.subplots(1, 3, figsize=(16, 5))
    for label, result in document["targets"].items():
        steps = result.get("steps", [])
        if not steps:
            continue
        offered = [step["offered_per_s"] for step in steps]
        (line,) = throughput.plot(offered, [s["accepted_per_s"] for s in steps], "o-", label=label)
        _latency(released, offered, steps, "released_ms", label, line.get_color())
        _latency(intake, offered, steps, "intake_ms", label, line.get_color())
    top = max(
        (s["offered_per_s"] for r in document["targets"].values() for s in r.get("steps", [])),
        default=1,
    )
    throughput.plot([0, top], [0, top], ":", color="grey", label="accepted = offered")
    throughput.set(
        title="Accepted vs offered", xlabel="offered orders/s", ylabel="accepted orders/s"
    )
    released.axhline(SUSTAINED_P99_MS, color="grey", linestyle=":", label="sustained: p99 ≤ 1 s")
    released.set(title="Accepted → released (event time)", xlabel="offered orders/s", ylabel="ms")
    intake.set(title="Intake, from the intended start", xlabel="offered orders/s", ylabel="ms")
    for axes in (throughput, released, intake):
        axes.grid(True, alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize="small")
    figure.suptitle(f"Orders benchmark, {document['started_at'][:16]}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def _latency(
    axes: Axes, offered: list[float], steps: list[dict[str, Any]], key: str, label: str, color: str
) -> None:
    """p50 solid, p99 dashed; log scale, since an overloaded step is orders of magnitude slower."""
    for rank, style in (("p50", "o-"), ("p99", "s--")):
        points = [(x, s[key][rank]) for x, s in zip(offered, steps, strict=True) if s[key][rank]]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, style, color=color, label=f"{label} {rank}")
    axes.set_yscale("log")
    # Plain numbers (20, 300) rather than powers of ten on the few ticks labelled.
    axes.yaxis.set_major_formatter(LogFormatter())
    axes.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))
