"""Report of the orders benchmark: the same tables as rich on stdout and as markdown."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.report import warn_if_busy


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: list[list[str]]


def _ms(figures: dict[str, Any], *ranks: str) -> str:
    return " / ".join("-" if figures.get(r) is None else f"{figures[r]:.0f}" for r in ranks)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def ladder(document: dict[str, Any]) -> Section:
    rows = []
    for label, result in document["targets"].items():
        for step in result.get("steps", []):
            cpu_ms = sum(step["cpu_s_per_order"].values()) * 1000
            rows.append(
                [
                    label,
                    _rate(step["rate_per_s"]),
                    f"{step['offered_per_s']:.1f}",
                    f"{step['accepted_per_s']:.1f}",
                    _ms(step["intake_ms"], "p50", "p99", "p99.9"),
                    _ms(step["released_ms"], "p50", "p99", "p99.9"),
                    _ms(step["shipped_ms"], "p50", "p99"),
                    f"{step['released']} / {step['not_released']}",
                    str(step["backlog_at_end"]),
                    f"{cpu_ms:.1f}",
                    "yes" if step["held"] else "no",
                ]
            )
    headers = (
        "target",
        "rate/s",
        "offered/s",
        "accepted/s",
        "intake p50/p99/p99.9 ms",
        "released p50/p99/p99.9 ms",
        "shipped p50/p99 ms",
        "released / not",
        "backlog",
        "CPU ms/order",
        "held",
    )
    return Section("Rate ladder (latency of release and shipment by event time)", headers, rows)


def cpu(document: dict[str, Any]) -> Section:
    rows = [
        [
            label,
            _rate(step["rate_per_s"]),
            ", ".join(f"{name} {s * 1000:.2f}" for name, s in step["cpu_s_per_order"].items()),
            ", ".join(
                f"{name} {s * 1000:.2f}"
                for name, s in step.get("servers_cpu_s_per_order", {}).items()
            )
            or "-",
            f"{step['bench_cpu_s_per_order'] * 1000:.2f}",
        ]
        for label, result in document["targets"].items()
        for step in result.get("steps", [])
    ]
    headers = ("target", "rate/s", "product processes", "servers", "this benchmark")
    return Section("CPU ms per accepted order, per process", headers, rows)


def sustained(document: dict[str, Any]) -> Section:
    rows = [
        [
            label,
            str(result.get("replicas", "")),
            _rate(result.get("sustained_per_s")),
            result.get("error") or "",
        ]
        for label, result in document["targets"].items()
    ]
    gain = document.get("replica_gain")
    if gain is not None:
        rows.append(["gain 2 vs 1 member per group", "", _rate(gain["ratio"]), ""])
    headers = ("target", "replicas", "sustained orders/s", "error")
    return Section("Sustained rate (all accepted and released, p99 ≤ 1 s)", headers, rows)


def hot_stream(document: dict[str, Any]) -> Section:
    rows = []
    for label, result in document["targets"].items():
        hot = result.get("hot_stream")
        if not hot:
            continue
        cells = [label, str(hot["step"]["accepted"]), _rate(hot["step"]["rate_per_s"])]
        cells.append(str(hot["window"]))
        for name in ("intake", "released"):
            for rank in ("p50", "p99"):
                drift = hot[name]
                first, last = drift["first_ms"][rank], drift["last_ms"][rank]
                cells.append(f"{_rate(first)} → {_rate(last)} (×{_rate(drift['ratio'][rank])})")
        cells.append("yes" if hot["met"] else "no")
        beside = hot.get("beside_a_new_pair")
        cells.append(
            "-"
            if not beside
            else ", ".join(
                f"{name} p50 {_rate(beside[name]['long_ms']['p50'])} vs"
                f" {_rate(beside[name]['new_ms']['p50'])} (×{_rate(beside[name]['ratio']['p50'])})"
                for name in ("intake", "released")
            )
        )
        rows.append(cells)
    headers = (
        "target",
        "orders",
        "rate/s",
        "window",
        "intake p50 ms",
        "intake p99 ms",
        "released p50 ms",
        "released p99 ms",
        "last/first ≤ 1.5",
        "then beside a new pair, ms (long / new)",
    )
    return Section("Hot stream: one customer, one SKU (first vs last orders)", headers, rows)


def rebuild(document: dict[str, Any]) -> Section:
    rows = []
    for label, result in document["targets"].items():
        for service, figures in (result.get("rebuild") or {}).get("services", {}).items():
            rows.append(
                [
                    label,
                    service,
                    str(figures["events"]),
                    f"{figures['seconds']:.1f}",
                    _rate(figures["events_per_s"]),
                    _rate(figures["events_per_s_net"]),
                ]
            )
    headers = ("target", "service", "events", "seconds", "events/s", "events/s net of start")
    return Section("Read-model rebuild (gapless replay rebuild)", headers, rows)


def sections(document: dict[str, Any]) -> list[Section]:
    return [
        ladder(document),
        cpu(document),
        sustained(document),
        hot_stream(document),
        rebuild(document),
    ]


def rich_table(section: Section) -> Table:
    table = Table(title=section.title)
    for number, header in enumerate(section.headers):
        table.add_column(header, justify="left" if number == 0 else "right")
    for row in section.rows:
        table.add_row(*row)
    return table


def markdown_table(section: Section) -> list[str]:
    """The section's heading and table, as markdown lines."""
    return [
        f"## {section.title}",
        "",
        "| " + " | ".join(section.headers) + " |",
        "|" + "|".join("---" for _ in section.headers) + "|",
        *("| " + " | ".join(row) + " |" for row in section.rows),
    ]


def render(console: Console, document: dict[str, Any]) -> None:
    for section in sections(document):
        if section.rows:
            console.print(rich_table(section))
    _notes(console, document)


def _notes(console: Console, document: dict[str, Any]) -> None:
    for label, result in document["targets"].items():
        for step in result.get("steps", []):
            rate = f"{label} at {step['rate_per_s']:g}/s"
            if step["why_not"]:
                console.print(f"  {rate} not held: {'; '.join(step['why_not'])}", highlight=False)
            if step["stops_ladder"]:
                reasons = "; ".join(step["stops_ladder"])
                console.print(f"  {rate} ends the ladder: {reasons}", highlight=False)
    warn_if_busy(console, document["machine"])


def markdown(document: dict[str, Any]) -> str:
    machine = document["machine"]
    lines = [
        "# Orders benchmark",
        "",
        f"`{document['command']}` at {document['started_at']}, {document['duration_s']} s;"
        f" {machine['cpus']} CPUs, load average {machine['load_average_at_start']} at the start.",
    ]
    for section in sections(document):
        if section.rows:
            lines += ["", *markdown_table(section)]
    return "\n".join(lines) + "\n"
