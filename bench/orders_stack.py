"""The product under the orders benchmark: started, stocked, measured by CPU and rebuilt."""

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx

from bench.orders_load import Channel, Mix
from bench.postgres import plain_dsn
from services.roster import NAMES
from tests.e2e.clients import Api, unique
from tests.e2e.stack import REPO, Stack, embedded_stack, scaleout_stack

# Consumer-group members `--replicas` multiplies; the simulator stands in for a WMS/TMS.
REPLICATED = NAMES
REBUILT = NAMES
PARTITIONS = 6
HUGE_CENTS = 10**12  # credit limit and review threshold: no order is ever held for credit
PRICE_CENTS = 1_000
SETUP_CONCURRENCY = 16


def build(target: str, folder: Path, *, replicas: int, schedule_interval_s: float | None) -> Stack:
    """The product as a user runs it: every schedule at its own interval (pick waves every 2 s,
    the simulator every 200 ms, classification daily), unless `schedule_interval_s` says one
    interval for all of them, as the tests do."""
    extra = {"GAPLESS_SEED_DEMO": "false", "GAPLESS_KAFKA__PARTITIONS": str(PARTITIONS)}
    if schedule_interval_s is not None:
        extra[_INTERVAL] = str(schedule_interval_s)
    if target == "embedded":
        stack = embedded_stack(folder, extra_env=extra)
    else:
        stack = scaleout_stack(
            folder,
            postgres_dsn=os.environ["POSTGRES_DSN"],
            kafka=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
            namespace=f"benchorders{uuid4().hex[:8]}",
            replicas=dict.fromkeys(REPLICATED, replicas),
            extra_env=extra,
        )
    if schedule_interval_s is None:
        for process in stack.processes.values():
            process.env = {k: v for k, v in process.env.items() if k != _INTERVAL}
    return stack


_INTERVAL = "GAPLESS_SCHEDULE_INTERVAL_SECONDS"


def product_pids(stack: Stack) -> dict[str, int]:
    """Every product process by name; a worker a product process started as `name/<service>`
    (embedded runs services in children such as `services.embedded andon <parent pid>`)."""
    pids: dict[str, int] = {}
    for name, process in stack.processes.items():
        if process.popen is None:
            continue
        pids[name] = process.popen.pid
        for pid in _descendants(process.popen.pid):
            pids[f"{name}/{_worker_service(pid) or pid}"] = pid
    return pids


def process_cpu_s(stack: Stack) -> dict[str, float]:
    """CPU seconds (user + system) each product process has used so far."""
    return {name: _cpu_s(pid) for name, pid in product_pids(stack).items()}


def servers_cpu_s() -> dict[str, float]:
    """CPU seconds PostgreSQL (the postmaster and its backends) and Kafka have used so far,
    when `deploy/infra.sh` started them here: the rest of a scale-out order's cost."""
    infra = Path(os.environ.get("GAPLESS_INFRA_DIR", REPO / ".infra"))
    used: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        postmaster = int((infra / "postgres/data/postmaster.pid").read_text().split()[0])
        pids = [postmaster, *_descendants(postmaster)]
        # The postmaster's own time counts the backends that ended (it waited for them).
        used["postgresql"] = _cpu_s(postmaster, ended_children=True) + sum(
            _cpu_s(pid) for pid in pids[1:]
        )
    with contextlib.suppress(OSError, ValueError):
        broker = int((infra / "kafka/kafka.pid").read_text().split()[0])
        used["kafka"] = _cpu_s(broker) + sum(_cpu_s(pid) for pid in _descendants(broker))
    return used


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren, ... of a process, from Linux /proc."""
    found: list[int] = []
    parents = [pid]
    while parents:
        parent = parents.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except OSError:
                continue  # the thread or process ended meanwhile
            found += children
            parents += children
    return found


def _worker_service(pid: int) -> str:
    """The service a worker runs: the argument after the module (`-m MODULE SERVICE ...`, or
    `-m shared.child PARENT MODULE SERVICE ...`)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return ""
    if b"-m" not in argv:
        return ""
    at = argv.index(b"-m") + 1
    after = argv[at + 3 :] if argv[at : at + 1] == [b"shared.child"] else argv[at + 1 :]
    return after[0].decode() if after else ""


def _cpu_s(pid: int, *, ended_children: bool = False) -> float:
    """User + system seconds of `pid` (and of its children that ended and were waited for)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    ticks = int(fields[11]) + int(fields[12])
    if ended_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def check_running(stack: Stack) -> None:
    """A product process that died ends the measurement: what follows would measure nothing."""
    for name, process in stack.processes.items():
        if process.popen is not None and process.popen.poll() is not None:
            log = process.log_path.read_text(errors="replace")[-3000:]
            raise AssertionError(f"{name} exited with {process.popen.returncode}; log:\n{log}")


async def busy_cores(stack: Stack, seconds: float) -> float:
    """CPUs the product's processes kept busy, on average, over the next `seconds`."""
    before = process_cpu_s(stack)
    await asyncio.sleep(seconds)
    after = process_cpu_s(stack)
    return sum(used - before.get(name, used) for name, used in after.items()) / seconds


async def settle(stack: Stack, *, idle_cores: float, limit_s: float) -> float:
    """Wait (at most `limit_s`) until the product works off what earlier load left; seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if await busy_cores(stack, 0.5) <= 2 * idle_cores + 0.05:
            break
    return round(time.monotonic() - started, 1)


@contextlib.asynccontextmanager
async def steady_load(
    stack: Stack, *, customers: int, skus: int, stock: int
) -> AsyncIterator[tuple[Channel, Channel, Mix]]:
    """A placing and a polling channel (each on a client of its own, so polls never hold up a
    placement), the simulator tuned for load, and the customers and SKUs orders are drawn from."""
    async with (
        httpx.AsyncClient(timeout=30) as placing,
        httpx.AsyncClient(timeout=30) as polling,
    ):
        api = Api(stack, polling)
        await api.tune_simulator()
        mix = await prepare(api, customers=customers, skus=skus, stock=stock)
        yield Channel(stack, [placing]), Channel(stack, [polling]), mix


async def prepare(api: Api, *, customers: int, skus: int, stock: int) -> Mix:
    """Green customers with credit to spare and SKUs with `stock` units each, known everywhere."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def customer() -> str:
        async with limit:
            customer_id = unique("bench-customer").lower()
            await api.define_customer(
                customer_id, limit_cents=HUGE_CENTS, threshold_cents=HUGE_CENTS
            )
            return customer_id

    async def sku() -> str:
        async with limit:
            return await api.new_item("bench-sku", stock=stock, price_cents=PRICE_CENTS)

    mix = Mix(
        customers=await asyncio.gather(*(customer() for _ in range(customers))),
        skus=await asyncio.gather(*(sku() for _ in range(skus))),
    )
    await _known_to_credit(api, mix.customers, limit)
    return mix


async def _known_to_credit(api: Api, customers: Sequence[str], limit: asyncio.Semaphore) -> None:
    """Credit hears of customers through events: an order before that would go to review."""

    async def green(customer_id: str) -> None:
        for _ in range(100):
            async with limit:
                response = await api.request("GET", f"/v1/credit/accounts/{customer_id}")
            if response.status_code == 200 and response.json()["credit_light"] == "green":
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"credit never learned of customer {customer_id}")

    await asyncio.gather(*(green(c) for c in customers))


def event_counts(stack: Stack) -> dict[str, int]:
    """Events in each rebuilt service's event store (`stored_event`)."""
    if stack.target == "embedded":
        folder = Path(stack.env["GAPLESS_DATA_DIR"])
        return {name: _sqlite_count(folder / f"{name}.db") for name in REBUILT}
    return asyncio.run(_postgres_counts(stack.env["GAPLESS_NAMESPACE"]))


def _sqlite_count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM stored_event").fetchone()[0])


async def _postgres_counts(namespace: str) -> dict[str, int]:
    conn = await asyncpg.connect(plain_dsn(os.environ["POSTGRES_DSN"]))
    try:
        return {
            name: int(
                await conn.fetchval(f'SELECT count(*) FROM "{namespace}_{name}".stored_event')
            )
            for name in REBUILT
        }
    finally:
        await conn.close()


def rebuild_rates(stack: Stack, *, timeout_s: float) -> dict[str, Any]:
    """Time `python -m services replay rebuild` per service on the stopped stack's data."""
    counts = event_counts(stack)
    startup_s = _timed(stack, ["--help"], timeout_s)[0]
    services: dict[str, dict[str, Any]] = {}
    for name in REBUILT:
        seconds, error = _timed(stack, ["replay", "rebuild", name], timeout_s)
        replay_s = seconds - startup_s
        services[name] = {
            "events": counts[name],
            "seconds": round(seconds, 2),
            "events_per_s": round(counts[name] / seconds, 1) if error is None else None,
            # Less the interpreter's start and imports (`--help` alone); unknown when the replay
            # itself took less time than they did.
            "events_per_s_net": (
                round(counts[name] / replay_s, 1)
                if error is None and replay_s > startup_s
                else None
            ),
            "error": error,
        }
    return {"startup_s": round(startup_s, 2), "services": services}


def _timed(stack: Stack, args: list[str], timeout_s: float) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "services", *args],
            cwd=REPO,
            env={**os.environ, **stack.env},
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, f"not done in {timeout_s:.0f} s"
    error = None if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-500:]}"
    return time.perf_counter() - started, error
