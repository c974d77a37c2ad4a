"""Andon propagation benchmark: from an accepted pull to every affected service reflecting it.

Run: python -m bench.andon_propagation
  scale-out needs POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS exported:
    eval "$(deploy/infra.sh up | sed 's/^/export /')"   (stop: deploy/infra.sh down)
  (or --targets embedded for the one-process product alone)

Starts the product as real processes (tests/e2e/stack.py): one per service on PostgreSQL + Kafka
(scale-out), then the one-process embedded product for comparison. Each pull stops the sale of a
fresh SKU that affects all three reacting services (see bench/andon_scenario.py); samples
are set up in batches, pulled one at a time, and their orders cancelled before the next batch.
Two measures per service:
- event time (decides the goal): from AndonPulled's envelope time to the reaction event's time,
  read off the bus afterwards; no polling granularity, and every --quiet-every-th pull is not
  polled at all, so the load the polling adds can be told apart;
- HTTP: from the 201 of POST /v1/andon/pulls to the answer of the first GET that shows it
  (GETs every --poll-ms after the previous answer, all services at once): an upper bound.
Plus where the time goes: the andon's relay (outbox published_at), the bus hop to each consumer
(its inbox row's transaction time, PostgreSQL only), each handler, and the GET.
The stack's schedules run every --schedule-interval s (default: rarely), so no pick wave takes
the waiting shipments and no background job competes with the measurement.
Writes bench-results/andon_propagation.json. Exit code 0 whenever it ran.
"""

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter, process_time
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from bench.andon_events import bookkeeping, reaction_times, read_events
from bench.andon_report import goal, render, summarize
from bench.andon_scenario import (
    SERVICES,
    PullPlan,
    Sample,
    clear_away,
    prepare_all,
    run_pulls,
)
from bench.report import wide_console, write
from bench.servers import clean_scaleout, servers_missing
from tests.e2e.clients import Api
from tests.e2e.stack import Stack, embedded_stack, scaleout_stack

WIDTH = 124
OVERHEAD_S = 35.0
TARGETS = ("scaleout", "embedded")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.andon_propagation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--targets", default=",".join(TARGETS), help="comma-separated (%(default)s)")
    option("--pulls", type=int, default=100, help="timed pulls per stack (%(default)s)")
    option("--quiet-every", type=int, default=4, help="every n-th pull unpolled (%(default)s)")
    option("--warmup", type=int, default=10, help="untimed pulls first (%(default)s)")
    option("--poll-ms", type=float, default=2.0, help="pause between GETs (%(default)s ms)")
    option("--timeout", type=float, default=3.0, help="per pull and service (%(default)s s)")
    option(
        "--schedule-interval",
        type=float,
        default=600.0,
        help="GAPLESS_SCHEDULE_INTERVAL_SECONDS of the stack (%(default)s s); keep it longer than"
        " the run, or pick waves take the shipments the pulls should hold",
    )
    option("--concurrency", type=int, default=8, help="samples set up at once (%(default)s)")
    option("--batch", type=int, default=10, help="samples set up, then pulled (%(default)s)")
    option("--settle", type=float, default=0.5, help="after a batch's setup (%(default)s s)")
    option("--budget", type=float, default=50.0, help="per stack: setup + pulls (%(default)s s)")
    option("--total-budget", type=float, default=170.0, help="whole run (%(default)s s)")
    option("--output", type=Path, default=Path("bench-results/andon_propagation.json"))
    option("--keep-logs", action="store_true", help="keep the stack's folder and logs")
    return parser.parse_args(argv)


def _process_cpu_s(stack: Stack) -> dict[str, float]:
    """CPU seconds (user + system) each product process has used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for name, process in stack.processes.items():
        if process.popen is None:
            continue
        try:
            fields = Path(f"/proc/{process.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[name] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all CPUs (Linux /proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


async def measure(
    stack: Stack, namespace: str, args: argparse.Namespace, budget: float
) -> dict[str, Any]:
    """Batches of samples: set up, pulled one at a time, their orders cancelled; then the bus."""
    started = perf_counter()
    deadline = started + budget
    wanted = args.warmup + args.pulls
    samples: list[Sample] = []
    errors: list[str] = []
    skip: dict[str, str] = {}
    setup_s = pulls_s = 0.0
    cpu_used: dict[str, float] = {}
    machine = [0.0, 0.0]  # busy and total CPU seconds of the machine while pulling
    load_before = os.getloadavg()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        api = Api(stack, client)
        customer = await api.new_customer("andon-bench")
        attempts = 0
        while attempts < wanted and perf_counter() < deadline:
            count = min(args.batch, wanted - attempts)
            attempts += count
            begun = perf_counter()
            batch, failed = await prepare_all(
                api,
                customer,
                count,
                concurrency=args.concurrency,
                within=20,
                budget=max(5.0, deadline - perf_counter()),
            )
            errors += failed
            setup_s += perf_counter() - begun
            for sample in batch:
                number = len(samples) - args.warmup
                quiet = args.quiet_every and number % args.quiet_every == args.quiet_every - 1
                sample.polled = number < 0 or not quiet
                samples.append(sample)
            plan = PullPlan(args.poll_ms / 1000, args.timeout, settle_s=0.3, deadline=deadline)
            # The andon watchdog is still reading the setup's events: let it finish, so that the
            # pulls meet an idle stack (each is measured alone; load is not what this measures).
            await asyncio.sleep(args.settle)
            cpu_before, machine_before = _process_cpu_s(stack), _machine_cpu_s()
            client_before, begun = process_time(), perf_counter()
            outcome = await run_pulls(api, batch, plan, skip=skip)
            pulls_s += perf_counter() - begun
            cpu_used["(this benchmark)"] = (
                cpu_used.get("(this benchmark)", 0.0) + process_time() - client_before
            )
            for name, used in _process_cpu_s(stack).items():
                cpu_used[name] = cpu_used.get(name, 0.0) + used - cpu_before.get(name, used)
            machine_after = _machine_cpu_s()
            machine[0] += machine_after[0] - machine_before[0]
            machine[1] += machine_after[1] - machine_before[1]
            skip |= outcome["not_probed"]
            await clear_away(api, batch)
    load_after = os.getloadavg()
    await asyncio.sleep(0.5)  # the last quiet pull's reactions
    pulled = [s for s in samples if s.pull_id is not None]
    read = await read_events(stack, pull_ids={str(s.pull_id) for s in pulled}, within=20)
    books = await bookkeeping(stack, namespace, [str(e.event_id) for e in read])
    timed = pulled[args.warmup :]
    probed = [name for name in SERVICES if name not in skip]
    return {
        "samples_prepared": len(samples),
        "setup_s": round(setup_s, 1),
        "setup_errors": errors[:5],
        "setup_error_count": len(errors),
        "warmup_pulls": len(pulled[: args.warmup]),
        "pulls_s": round(pulls_s, 1),
        "not_probed": skip,
        "load_average": {
            "before": [round(v, 2) for v in load_before],
            "after": [round(v, 2) for v in load_after],
        },
        # CPU used by each product process while the pulls ran (polling included), in % of one CPU.
        "process_cpu_percent": {
            name: round(used / max(pulls_s, 1e-3) * 100, 1) for name, used in cpu_used.items()
        },
        # The whole machine while the pulls ran, in % of all its CPUs: with the row above, tells
        # whether other work competed with the stack (every hop waits for a CPU).
        "machine_cpu_busy_percent": round(machine[0] / max(machine[1], 1e-3) * 100, 1),
        "stack_cpu_percent_of_machine": round(
            sum(cpu_used.values()) / max(pulls_s, 1e-3) / (os.cpu_count() or 1) * 100, 1
        ),
        "figures": summarize(timed, reaction_times(timed, read, books), probed),
    }


def build_stack(target: str, folder: Path, args: argparse.Namespace) -> tuple[Stack, str]:
    extra = {
        "GAPLESS_SCHEDULE_INTERVAL_SECONDS": str(args.schedule_interval),
        "GAPLESS_SEED_DEMO": "false",
    }
    if target == "embedded":
        return embedded_stack(folder, extra_env=extra), ""
    namespace = f"benchandon{uuid4().hex[:8]}"
    stack = scaleout_stack(
        folder,
        postgres_dsn=os.environ["POSTGRES_DSN"],
        kafka=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        namespace=namespace,
        extra_env=extra,
    )
    return stack, namespace


async def _guarded(work: Coroutine[Any, Any, dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Only against a hung server: a normal run ends well within `seconds`."""
    async with asyncio.timeout(seconds):
        return await work


def run_target(
    target: str, args: argparse.Namespace, console: Console, *, budget: float
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"gapless-bench-andon-{target}-"))
    stack, namespace = build_stack(target, folder, args)
    started = perf_counter()
    result: dict[str, Any] = {"processes": len(stack.processes)}
    try:
        console.print(f"[dim]{target}: starting {len(stack.processes)} process(es)...[/]")
        stack.start()
        result["start_s"] = round(perf_counter() - started, 1)
        console.print(f"[dim]{target}: ready in {result['start_s']} s; setting up and pulling[/]")
        result |= asyncio.run(_guarded(measure(stack, namespace, args, budget), budget + 60))
        result["logs"] = str(folder) if args.keep_logs else None
    except (AssertionError, OSError, httpx.HTTPError, TimeoutError) as error:
        result["error"] = f"{type(error).__name__}: {str(error)[-1500:]}"
        result["logs"] = str(folder)
        args.keep_logs = True
    finally:
        stack.stop()
        if namespace:
            try:
                asyncio.run(clean_scaleout(stack))
            except Exception as error:  # leftovers only cost disk on the dev servers
                console.print(f"[yellow]{target}: cleanup failed: {error!r}[/]")
        if not args.keep_logs:
            shutil.rmtree(folder, ignore_errors=True)
    result["duration_s"] = round(perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console, errors = wide_console(WIDTH), Console(stderr=True)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown or not targets:
        errors.print(f"[bold red]unknown targets {sorted(unknown)}; choose from {TARGETS}[/]")
        return 2
    if missing := servers_missing(targets):
        errors.print(missing)
        return 2
    started_at, started, load_at_start = datetime.now(UTC), perf_counter(), os.getloadavg()
    idle_before = _machine_cpu_s()
    time.sleep(1.0)  # what else keeps the machine busy, before we add anything
    idle_after = _machine_cpu_s()
    busy_before = (idle_after[0] - idle_before[0]) / max(idle_after[1] - idle_before[1], 1e-3)
    results: dict[str, Any] = {}
    for target in targets:
        # What a stack needs besides its pulls: start, reading the bus, stop.
        left = args.total_budget - (perf_counter() - started) - OVERHEAD_S
        if left < 10:
            results[target] = {"error": f"skipped: the run's {args.total_budget:.0f} s are spent"}
            continue
        results[target] = run_target(target, args, console, budget=min(args.budget, left))
    document = {
        "benchmark": "andon_propagation",
        "command": " ".join(["python -m bench.andon_propagation", *sys.argv[1:]]),
        "started_at": started_at.isoformat(),
        "duration_s": round(perf_counter() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_busy_percent_before": round(busy_before * 100, 1),
            "load_average_at_start": [round(v, 2) for v in load_at_start],
        },
        "plan": {
            "pulls": args.pulls,
            "warmup": args.warmup,
            "quiet_every": args.quiet_every,
            "poll_ms": args.poll_ms,
            "timeout_s": args.timeout,
            "schedule_interval_s": args.schedule_interval,
            "budget_s": args.budget,
            "batch": args.batch,
            "settle_s": args.settle,
        },
        "goal": goal(results),
        "targets": results,
    }
    render(console, document)
    write(args.output, document)
    console.print(f"Results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
