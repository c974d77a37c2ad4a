"""`make chaos`: a fault run with a report (a JSON file and a table); exits 1 if it fails."""

import asyncio
import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tests.chaos.run import Plan, failures, fault_run

app = typer.Typer(add_completion=False)


def _rows(report: dict[str, Any]) -> list[tuple[str, Any]]:
    load, faults = report["load"], report["faults"]
    restarts = ", ".join(f"{r['what']} ({r['took']}s)" for r in faults["restarts"])
    return [
        ("orders accepted", load["orders_accepted"]),
        ("changes / cancels accepted", f"{load['changes_accepted']} / {load['cancels_accepted']}"),
        ("payments / andon pulls", f"{load['payments_accepted']} / {load['andon_pulls']}"),
        ("answers by status", json.dumps(load["statuses"])),
        ("503 refusals (retried)", report["refusals_503"]),
        ("dropped connections (retried)", load["transport_errors"]),
        ("SIGKILLs", len(faults["kills"])),
        ("restarts", restarts or "-"),
        ("drain after the last fault (s)", report["drain_seconds_after_last_fault"]),
        *report["checks"].items(),
        *report["watchdog"].items(),
    ]


def print_report(report: dict[str, Any]) -> None:
    table = Table(title=f"fault run ({report['plan']['target']})")
    table.add_column("what")
    table.add_column("value", justify="right")
    for name, value in _rows(report):
        table.add_row(str(name), str(value))
    console = Console()
    console.print(table)
    console.print(f"failures: {report['failures'] or 'none'}")


@app.command()
def main(
    target: Annotated[str, typer.Option(help="scaleout or embedded")] = "scaleout",
    minutes: Annotated[float, typer.Option(help="minutes of load")] = 5.0,
    rate: Annotated[float, typer.Option(help="orders per second")] = 8.0,
    kills: Annotated[int, typer.Option(help="SIGKILLs of product processes")] = 12,
    kafka_restarts: Annotated[int, typer.Option(help="scale-out only")] = 1,
    postgres_restarts: Annotated[int, typer.Option(help="scale-out only")] = 1,
    report_path: Annotated[Path, typer.Option("--report")] = Path("chaos-report.json"),
) -> None:
    scaleout = target == "scaleout"
    plan = Plan(
        target=target,
        load_seconds=minutes * 60,
        rate=rate,
        kills=kills,
        kafka_restarts=kafka_restarts if scaleout else 0,
        postgres_restarts=postgres_restarts if scaleout else 0,
    )
    folder = Path(tempfile.mkdtemp(prefix="gapless-chaos-"))
    report = asyncio.run(fault_run(plan, folder))
    report["failures"] = failures(report)
    if report["failures"]:
        report["logs"] = str(folder)  # kept for the post-mortem
    else:
        shutil.rmtree(folder, ignore_errors=True)
    report_path.write_text(json.dumps(report, indent=2))
    print_report(report)
    raise typer.Exit(1 if report["failures"] else 0)


if __name__ == "__main__":
    app()
