"""Report of the hot-path benchmark: a rich table on stdout and a JSON document; and what the
other benchmarks' reports share (the console, the busy-machine warning, writing the JSON)."""

import json
import statistics
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.runner import Measured, Plan

GOAL_RATIO = 0.90
GOAL_SCENARIO, GOAL_BASELINE = "postgresql", "raw"


def variant_summary(measured: Measured, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "median_tx_per_s": round(measured.median_rate, 1),
        "rounds_tx_per_s": [round(rate, 1) for rate in measured.rates],
        "p50_ms": round(measured.percentile_ms(50), 3),
        "p99_ms": round(measured.percentile_ms(99), 3),
        "client_cpu_us_per_tx": round(measured.median_cpu_us, 1),
        "transactions_timed": len(measured.latencies),
    }


def scenario_summary(
    results: dict[str, Measured],
    labels: dict[str, str],
    plan: Plan,
    rows: dict[str, dict[str, int]],
    **extra: Any,
) -> dict[str, Any]:
    """Figures per variant, and ours divided by each baseline (median tx/s, and per round)."""
    ours = results["ours"]
    baselines = [name for name in results if name != "ours"]
    return {
        "plan": {
            "concurrency": plan.concurrency,
            "warmup_transactions": plan.warmup,
            "transactions_per_round": plan.transactions,
            "rounds_planned": plan.rounds,
            "rounds_run": len(ours.rates),
        },
        "variants": {name: variant_summary(m, labels[name]) for name, m in results.items()},
        "ours_over": {
            name: round(ours.median_rate / results[name].median_rate, 3) for name in baselines
        },
        # Rounds run back to back, so each round's ratio is less exposed to load from outside.
        "round_ratios": {name: _round_ratios(ours, results[name]) for name in baselines},
        "median_round_ratio": {
            name: round(statistics.median(_round_ratios(ours, results[name])), 3)
            for name in baselines
        },
        # Same transactions on every variant, so the same row counts prove the same work.
        "rows": rows,
        "rows_match": len({tuple(counts.items()) for counts in rows.values()}) == 1,
        **extra,
    }


def _round_ratios(ours: Measured, baseline: Measured) -> list[float]:
    return [round(o / b, 3) for o, b in zip(ours.rates, baseline.rates, strict=True)]


def goal(scenarios: dict[str, Any]) -> dict[str, Any]:
    scenario = scenarios[GOAL_SCENARIO]
    ratio = scenario["ours_over"][GOAL_BASELINE]
    return {
        "description": f"PostgreSQL: ours >= {GOAL_RATIO:.0%} of raw asyncpg (median tx/s)",
        "threshold": GOAL_RATIO,
        "baseline": GOAL_BASELINE,
        "ratio": ratio,
        "median_round_ratio": scenario["median_round_ratio"][GOAL_BASELINE],
        "met": ratio >= GOAL_RATIO,
    }


def render(console: Console, document: dict[str, Any]) -> None:
    table = Table(title="Hot path: inbox claim + 1-2 events + their outbox rows, one transaction")
    table.add_column("scenario")
    table.add_column("variant")
    for column in ("tx/s", "rounds min-max", "p50 ms", "p99 ms", "CPU µs/tx", "ours ÷ it"):
        table.add_column(column, justify="right")
    for name, scenario in document["scenarios"].items():
        for number, (variant, figures) in enumerate(scenario["variants"].items()):
            ratio = scenario["ours_over"].get(variant)
            rounds = figures["rounds_tx_per_s"]
            table.add_row(
                name if number == 0 else "",
                variant,
                f"{figures['median_tx_per_s']:.0f}",
                f"{min(rounds):.0f}-{max(rounds):.0f}",
                f"{figures['p50_ms']:.2f}",
                f"{figures['p99_ms']:.2f}",
                f"{figures['client_cpu_us_per_tx']:.0f}",
                "" if ratio is None else f"{ratio:.0%}",
            )
        table.add_section()
    console.print(table)
    _legend(console, document)


def _legend(console: Console, document: dict[str, Any]) -> None:
    for name, scenario in document["scenarios"].items():
        for variant, figures in scenario["variants"].items():
            console.print(f"  {name} {variant}: {figures['label']}", highlight=False)
        if not scenario["rows_match"]:
            console.print(f"[bold red]  {name}: the variants wrote different row counts[/]")
        plan = scenario["plan"]
        if plan["rounds_run"] < plan["rounds_planned"]:
            console.print(
                f"[yellow]  {name}: time budget reached after {plan['rounds_run']} of"
                f" {plan['rounds_planned']} rounds[/]"
            )
    console.print(
        "  tx/s and CPU µs/tx (this client process only) = median of the rounds;"
        " p50/p99 over every timed transaction; every round is in the JSON",
        highlight=False,
    )
    warn_if_busy(console, document["machine"])
    target = document["goal"]
    verdict = "[bold green]MET[/]" if target["met"] else "[bold red]NOT MET[/]"
    console.print(
        f"Goal {target['description']}: {verdict} (ours/raw = {target['ratio']:.1%};"
        f" median of the per-round ratios {target['median_round_ratio']:.1%})"
    )


def wide_console(width: int) -> Console:
    """stdout's console, at least `width` wide: when stdout is not a terminal (make, CI logs)
    rich would assume 80."""
    console = Console()
    return console if console.width >= width else Console(width=width)


def warn_if_busy(console: Console, machine: dict[str, Any]) -> None:
    """A machine already loaded when the run started makes the figures noisy: say so."""
    if machine["load_average_at_start"][0] > machine["cpus"] / 2:
        console.print(
            f"[yellow]  The machine was busy (load average {machine['load_average_at_start'][0]}"
            f" on {machine['cpus']} CPUs) when the run started: the figures are noisy.[/]"
        )


def write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
