"""Orders benchmark: sustained order rate, latency under load, hot streams and rebuild speed.

Run: python -m bench.orders
  scale-out needs POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS exported:
    eval "$(deploy/infra.sh up | sed 's/^/export /')"   (stop: deploy/infra.sh down)
  (or --targets embedded alone; --quick for a smoke run in seconds)

Starts the product as real processes (tests/e2e/stack.py; scale-out with 6 partitions per topic;
every schedule at its own interval unless --schedule-interval) and places orders over HTTP as a
channel integration does, open-model: order i is due at t0 + i/rate whatever happened to the
earlier ones, and its intake latency counts from that intended time (bench/orders_load.py). Each
order is followed to release and shipment, timed by event time from its timeline. Before each
step the stack is given up to a minute to work off what the previous one left.

- Rate ladder (--rates, --step-seconds each): offered and accepted orders/s, latencies, backlog,
  CPU per order per process. The sustained rate is the highest step held in full: every order
  accepted and released within the grace period, accepted->released p99 <= 1 s. The ladder stops
  at the first step that fails badly (intake or release p99 > 5 s, 5 % not accepted or not
  released, or too many orders waiting for an answer).
- Hot stream (--hot-orders at --hot-rate): one customer and one SKU, so their streams grow
  long; the first and the last orders' latencies are compared (goal: last/first <= 1.5).
- Read-model rebuild: with the stack stopped, `python -m services replay rebuild SERVICE` is
  timed per service against the events in its store.
- --gain runs scale-out with 1 and then 2 members per consumer group and divides the
  sustained rates.

Writes bench-results/orders.json, orders.md and orders.png. Exit code 0 whenever it ran.
"""

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

import httpx
from rich.console import Console

from bench.orders_chart import draw
from bench.orders_figures import replica_gain
from bench.orders_load import LAST_ANSWER_S
from bench.orders_measure import HOT_RATE, SETTLE_LIMIT_S, measure
from bench.orders_report import markdown, render
from bench.orders_stack import REPLICATED, build, rebuild_rates
from bench.report import wide_console, write
from bench.servers import clean_scaleout, servers_missing
from tests.e2e.stack import Stack

WIDTH = 160
TARGETS = ("embedded", "scaleout")
# Starting the stack and setting up customers and SKUs: on top of the planned load.
SETUP_S = 120.0
DEFAULTS: dict[str, Any] = {
    "rates": "10,20,30,40,50,75,100,150,200",
    "step_seconds": 60.0,
    "grace": 20.0,
    "warmup_seconds": 5.0,
    "customers": 200,
    "skus": 8,
    "hot_orders": 50_000,
    "hot_rate": None,  # HOT_RATE, or half the sustained rate if that is lower
}
# --quick: a smoke run of the whole benchmark in seconds.
QUICK: dict[str, Any] = {
    "rates": "5",
    "step_seconds": 3.0,
    "grace": 10.0,
    "warmup_seconds": 0.0,
    "customers": 5,
    "skus": 2,
    "hot_orders": 30,
    "hot_rate": 15.0,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.orders",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--targets", default=",".join(TARGETS), help="comma-separated (%(default)s)")
    option("--quick", action="store_true", help=f"smoke run: defaults become {QUICK}")
    option("--rates", help=f"orders/s of the ladder's steps ({DEFAULTS['rates']})")
    option("--step-seconds", type=float, help=f"per step ({DEFAULTS['step_seconds']})")
    option("--grace", type=float, help=f"drain after a step, at most ({DEFAULTS['grace']} s)")
    option("--warmup-seconds", type=float, help=f"untimed ({DEFAULTS['warmup_seconds']})")
    option("--customers", type=int, help=f"of the ladder's orders ({DEFAULTS['customers']})")
    option("--skus", type=int, help=f"of the ladder's orders ({DEFAULTS['skus']})")
    option("--hot-orders", type=int, help=f"hot stream, 0: none ({DEFAULTS['hot_orders']})")
    option(
        "--hot-rate",
        type=float,
        help=f"hot stream orders/s (default: {HOT_RATE:g}, or half the sustained rate if lower)",
    )
    option(
        "--hot-max-seconds",
        type=float,
        default=900.0,
        help="the hot stream places fewer orders rather than take longer (%(default)s)",
    )
    option(
        "--replicas",
        type=int,
        default=1,
        help=f"scale-out processes of each of {', '.join(REPLICATED)} (%(default)s)",
    )
    option("--gain", action="store_true", help="scale-out with 1, then 2 members per group")
    option(
        "--schedule-interval",
        type=float,
        default=None,
        help="one interval for every schedule, as the tests use (default: each its own)",
    )
    option("--no-rebuild", dest="rebuild", action="store_false", help="skip the rebuild timing")
    option("--rebuild-timeout", type=float, default=300.0, help="per service (%(default)s s)")
    option("--output-dir", type=Path, default=Path("bench-results"))
    option("--keep-logs", action="store_true", help="keep the stacks' folders and logs")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.rates = [float(rate) for rate in str(args.rates).split(",") if rate.strip()]
    return args


def planned_runs(targets: list[str], args: argparse.Namespace) -> list[tuple[str, str, int]]:
    """(label, target, replicas) of each stack to measure."""
    runs: list[tuple[str, str, int]] = []
    if "embedded" in targets:
        runs.append(("embedded", "embedded", 1))
    if "scaleout" in targets:
        for replicas in (1, 2) if args.gain else (args.replicas,):
            runs.append(
                ("scaleout" if replicas == 1 else f"scaleout-r{replicas}", "scaleout", replicas)
            )
    return runs


def _bound_s(args: argparse.Namespace) -> float:
    """Only against a hung server: a normal run ends well within this."""
    per_step = SETTLE_LIMIT_S + args.grace + LAST_ANSWER_S
    hot = args.hot_max_seconds + per_step if args.hot_orders else 0.0
    ladder_s = sum(args.step_seconds + per_step for _ in args.rates)
    return float(SETUP_S + args.warmup_seconds + per_step + ladder_s + hot)


async def _guarded(work: Coroutine[Any, Any, None], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        await work


def run_target(
    label: str, target: str, replicas: int, args: argparse.Namespace, console: Console
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"gapless-bench-orders-{label}-"))
    stack = build(target, folder, replicas=replicas, schedule_interval_s=args.schedule_interval)
    started = perf_counter()
    result: dict[str, Any] = {
        "target": target,
        "replicas": replicas,
        "processes": list(stack.processes),
    }

    def say(text: str) -> None:
        console.print(f"[dim]{label}: {text}[/]", highlight=False)

    keep_logs = args.keep_logs
    try:
        say(f"starting {len(stack.processes)} process(es)...")
        stack.start()
        result["start_s"] = round(perf_counter() - started, 1)
        say(f"ready in {result['start_s']} s; setting up")
        asyncio.run(_guarded(measure(stack, args, say, result), _bound_s(args)))
    except (AssertionError, OSError, httpx.HTTPError, TimeoutError) as error:
        result["error"] = f"{type(error).__name__}: {str(error)[-1500:]}"
        keep_logs = True
    finally:
        stack.stop()
    try:
        if args.rebuild and "steps" in result:
            say("stopped; timing the read-model rebuilds")
            result["rebuild"] = rebuild_rates(stack, timeout_s=args.rebuild_timeout)
    finally:
        _clean(stack, folder, keep_logs, say)
    result["logs"] = str(folder) if keep_logs else None
    result["duration_s"] = round(perf_counter() - started, 1)
    return result


def _clean(stack: Stack, folder: Path, keep_logs: bool, say: Callable[[str], None]) -> None:
    if stack.target == "scaleout":
        try:
            asyncio.run(clean_scaleout(stack))
        except Exception as error:  # leftovers only cost disk on the dev servers
            say(f"[yellow]cleanup failed: {error!r}[/]")
    if not keep_logs:
        shutil.rmtree(folder, ignore_errors=True)


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
    }


def plan(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "rates",
        "step_seconds",
        "grace",
        "warmup_seconds",
        "customers",
        "skus",
        "hot_orders",
        "hot_rate",
        "hot_max_seconds",
        "replicas",
        "gain",
        "schedule_interval",
        "rebuild",
    )
    return {name: getattr(args, name) for name in names}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console, errors = wide_console(WIDTH), Console(stderr=True)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown or not targets or not args.rates:
        errors.print(
            f"[bold red]unknown targets {sorted(unknown)} or no rates; targets: {TARGETS}[/]"
        )
        return 2
    if missing := servers_missing(targets):
        errors.print(missing)
        return 2
    started_at, started, facts = datetime.now(UTC), perf_counter(), machine()
    runs = planned_runs(targets, args)
    results = {label: run_target(label, target, n, args, console) for label, target, n in runs}
    facts["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    gain = None
    if args.gain and "scaleout" in targets:
        gain = replica_gain(
            {n: results[label].get("sustained_per_s") for label, t, n in runs if t == "scaleout"}
        )
    document = {
        "benchmark": "orders",
        "command": " ".join(["python -m bench.orders", *(sys.argv[1:] if argv is None else argv)]),
        "started_at": started_at.isoformat(),
        "duration_s": round(perf_counter() - started, 1),
        "machine": facts,
        "plan": plan(args),
        "targets": results,
        "replica_gain": gain,
    }
    render(console, document)
    write(args.output_dir / "orders.json", document)
    (args.output_dir / "orders.md").write_text(markdown(document))
    draw(document, args.output_dir / "orders.png")
    console.print(f"Results written to {args.output_dir}/orders.{{json,md,png}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
