"""Storage benchmark: bytes per order and the embedded data folder after N orders, before and
after the retention job has pruned what it may.

Run: python -m bench.storage [--orders 10000] [--rate 30] [--max-seconds 600]

Starts the embedded product on a fresh data folder (tests/e2e/stack.py, every schedule at its own
interval), sets up customers and SKUs and places --orders orders over HTTP at --rate per second
(open model, bench/orders_load.py), each followed to shipment; fewer if they would take longer
than --max-seconds. Once the product has worked off the load it is stopped and the
folder is measured: each database file's size and the bytes SQLite has in use (pages less free
pages). Then each service's retention job runs as it will once the retention period has passed
(`ServiceRuntime.prune`, its clock set past the period): inbox rows, published outbox rows and
local-log records every group has read go, and the bytes in use are measured again. SQLite
reuses freed pages for what comes next, so the folder stops growing; its files shrink only with
VACUUM, measured last. The event stores and read models keep everything (`gapless archive` moves
ended orders' streams out; the bench's orders are not paid, so none has ended).

Writes bench-results/storage.json and storage.md. Exit code 0 whenever it ran.
"""

import argparse
import asyncio
import contextlib
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from rich.console import Console

from bench.orders import machine
from bench.orders_load import run_step
from bench.orders_report import Section, markdown_table, rich_table
from bench.orders_stack import build, busy_cores, settle, steady_load
from bench.report import write
from services.roster import ALL_SERVICES
from shared.bus.local import LocalLogBroker
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.e2e.stack import Stack

GRACE_S = 60.0
SETTLE_LIMIT_S = 120.0
STOCK = 10_000_000
STAGES = ("after_orders", "after_pruning", "after_vacuum")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.storage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--orders", type=int, default=10_000, help="orders to place (%(default)s)")
    option("--rate", type=float, default=30.0, help="orders/s (%(default)s)")
    option("--max-seconds", type=float, default=600.0, help="placing, at most (%(default)s)")
    option("--customers", type=int, default=200, help="of the orders (%(default)s)")
    option("--skus", type=int, default=8, help="of the orders (%(default)s)")
    option("--output-dir", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def measure_files(folder: Path) -> dict[str, dict[str, int]]:
    """Each database's file size (with its WAL) and the bytes SQLite has in use in it."""
    measured = {}
    for path in sorted(folder.glob("*.db")):
        with contextlib.closing(sqlite3.connect(path)) as conn:
            pages, free, size = (
                conn.execute(f"PRAGMA {pragma}").fetchone()[0]
                for pragma in ("page_count", "freelist_count", "page_size")
            )
        wal = path.with_name(path.name + "-wal")
        file_bytes = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        measured[path.name] = {"file": file_bytes, "in_use": (pages - free) * size}
    return measured


async def prune_as_after_the_period(folder: Path) -> dict[str, dict[str, int]]:
    """Every service's retention job, with its clock just past the retention period."""
    settings = ServiceSettings(data_dir=folder, database_url="", bus="local", seed_demo=False)
    clock = FrozenClock(datetime.now(UTC) + settings.retention.period + timedelta(minutes=1))
    broker = LocalLogBroker(settings.local_log_path, clock=clock)
    await broker.start()
    pruned = {}
    try:
        for definition in ALL_SERVICES:
            runtime = ServiceRuntime(definition, settings, broker, clock=clock)
            await runtime.open()
            try:
                pruned[definition.name] = asdict(await runtime.prune())
            finally:
                await runtime.db.close()
    finally:
        await broker.close()
    return pruned


def vacuum(folder: Path) -> None:
    for path in folder.glob("*.db"):
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("VACUUM")


async def place(stack: Stack, args: argparse.Namespace, result: dict[str, Any]) -> None:
    load = steady_load(stack, customers=args.customers, skus=args.skus, stock=STOCK)
    async with load as (placing, polling, mix):
        idle = await busy_cores(stack, 1.0)
        result["setup_bytes"] = sum(f["file"] for f in measure_files(stack.folder).values())
        count = max(1, min(args.orders, round(args.rate * args.max_seconds)))
        run = await run_step(placing, polling, mix, rate=args.rate, count=count, grace_s=GRACE_S)
        result["orders"] = {
            "planned": count,
            "accepted": sum(s.order_id is not None for s in run.samples),
            "shipped": sum(s.shipped_at is not None for s in run.samples),
        }
        result["settled_s"] = await settle(stack, idle_cores=idle, limit_s=SETTLE_LIMIT_S)


def figures(result: dict[str, Any], stages: dict[str, dict[str, dict[str, int]]]) -> None:
    """Totals per stage and bytes per accepted order, beyond what the setup left."""
    accepted = max(1, result["orders"]["accepted"])
    result["files"] = {
        name: {stage: stages[stage][name] for stage in STAGES} for name in stages["after_orders"]
    }
    totals = {
        stage: {kind: sum(f[kind] for f in stages[stage].values()) for kind in ("file", "in_use")}
        for stage in STAGES
    }
    result["totals"] = totals
    result["bytes_per_order"] = {
        "after_orders": round((totals["after_orders"]["file"] - result["setup_bytes"]) / accepted),
        "in_use_after_pruning": round(
            (totals["after_pruning"]["in_use"] - result["setup_bytes"]) / accepted
        ),
        "after_vacuum": round((totals["after_vacuum"]["file"] - result["setup_bytes"]) / accepted),
    }


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="gapless-bench-storage-"))
    stack = build("embedded", folder, replicas=1, schedule_interval_s=None)
    result: dict[str, Any] = {"target": "embedded"}
    try:
        console.print("[dim]storage: starting the embedded product[/]")
        stack.start()
        asyncio.run(place(stack, args, result))
    finally:
        stack.stop()
    try:
        stages = {"after_orders": measure_files(folder)}
        result["pruned"] = asyncio.run(prune_as_after_the_period(folder))
        stages["after_pruning"] = measure_files(folder)
        vacuum(folder)
        stages["after_vacuum"] = measure_files(folder)
        figures(result, stages)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _mb(value: int) -> str:
    return f"{value / 1_000_000:.1f}"


def section(result: dict[str, Any]) -> Section:
    def sizes(name: str, stages: dict[str, dict[str, int]]) -> list[str]:
        return [
            name,
            _mb(stages["after_orders"]["file"]),
            _mb(stages["after_orders"]["in_use"]),
            _mb(stages["after_pruning"]["in_use"]),
            _mb(stages["after_vacuum"]["file"]),
        ]

    per_order = result["bytes_per_order"]
    orders = result["orders"]
    return Section(
        f"Data folder (embedded) after {orders['accepted']:,} orders"
        f" ({orders['shipped']:,} shipped), before and after the retention job",
        ("file", "MB after orders", "in use", "in use after pruning", "MB after VACUUM"),
        [
            *(sizes(name, stages) for name, stages in result["files"].items()),
            sizes("data folder", result["totals"]),
            [
                "bytes per order",
                f"{per_order['after_orders']:,}",
                "",
                f"{per_order['in_use_after_pruning']:,}",
                f"{per_order['after_vacuum']:,}",
            ],
        ],
    )


def markdown(document: dict[str, Any]) -> str:
    lines = [
        "# Storage benchmark",
        "",
        f"`{document['command']}` at {document['started_at']}, {document['duration_s']} s.",
        "",
        *markdown_table(section(document["result"])),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    started_at, started, facts = datetime.now(UTC), perf_counter(), machine()
    result = run(args, console)
    document = {
        "benchmark": "storage",
        "command": " ".join(["python -m bench.storage", *(sys.argv[1:] if argv is None else argv)]),
        "started_at": started_at.isoformat(),
        "duration_s": round(perf_counter() - started, 1),
        "machine": facts,
        "plan": {name: getattr(args, name) for name in ("orders", "rate", "max_seconds")},
        "result": result,
    }
    console.print(rich_table(section(result)))
    write(args.output_dir / "storage.json", document)
    (args.output_dir / "storage.md").write_text(markdown(document))
    console.print(f"Results written to {args.output_dir}/storage.{{json,md}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
