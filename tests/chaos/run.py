"""A fault run: steady load on the product while its processes are SIGKILLed at random moments
and (scale-out) its broker and database restart; then a drain, and the checker.

Scale-out runs on a PostgreSQL and a Kafka of its own (tests/chaos/infra.py) with two processes
per service, members of one consumer group each. Embedded runs the product as `make run` does;
its kills hit the main process or one of its worker processes.
"""

import asyncio
import contextlib
import json
import os
import random
import signal
import time
from collections.abc import Awaitable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.chaos import checker, load
from tests.chaos.checker import Databases
from tests.chaos.infra import PrivateInfra
from tests.e2e.clients import FAST_SIMULATOR
from tests.e2e.stack import ROUTES, Stack, embedded_stack, scaleout_stack

T = TypeVar("T")
NAMESPACE = "chaos"
REPLICATED = checker.SERVICES


@dataclass(frozen=True)
class Plan:
    target: str  # embedded | scaleout
    load_seconds: float
    rate: float  # orders per second
    kills: int
    kafka_restarts: int = 0
    postgres_restarts: int = 0
    drain_limit_seconds: float = 300
    seed: int = 7


@dataclass
class Faults:
    kills: list[dict[str, Any]] = field(default_factory=list)
    restarts: list[dict[str, Any]] = field(default_factory=list)
    last_fault_ended: float = 0.0
    # Phases cut off at their time budget: the run then fails, saying where it stalled.
    over_time: list[str] = field(default_factory=list)


async def _bounded(name: str, work: Awaitable[T], seconds: float, faults: Faults) -> T | None:
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        faults.over_time.append(name)
        return None


def _service_of(path: str) -> str:
    for prefix, service in ROUTES.items():
        if path.startswith(prefix):
            return service
    return "andon"  # /v1/complaints, /v1/gaps, /v1/reconciliation


def _urls_for(stack: Stack) -> Any:
    def urls(path: str) -> list[str]:
        if stack.target == "embedded":
            return [stack.processes["embedded"].url]
        service = _service_of(path)
        return [p.url for name, p in stack.processes.items() if name.split("-")[0] == service]

    return urls


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def _kill_one(stack: Stack, rng: random.Random) -> str:
    """SIGKILL one process (then start it again): no shutdown code runs, as with the OOM killer."""
    name = rng.choice(sorted(stack.processes))
    process = stack.processes[name]
    workers = _children(process.popen.pid) if process.popen and stack.target == "embedded" else []
    if workers and rng.random() < 0.5:
        # An embedded worker process: the product starts it again by itself.
        os.kill(rng.choice(workers), signal.SIGKILL)
        return f"{name} worker"
    process.kill()
    time.sleep(rng.uniform(0.5, 2.0))
    process.start()
    return name


def _schedule(plan: Plan, rng: random.Random) -> list[tuple[float, str]]:
    """(seconds into the load, fault): kills spread over the run, restarts in its middle."""
    window = plan.load_seconds
    faults = [(rng.uniform(0.1, 0.9) * window, "kill") for _ in range(plan.kills)]
    faults += [((0.3 + 0.1 * i) * window, "kafka") for i in range(plan.kafka_restarts)]
    faults += [((0.6 + 0.1 * i) * window, "postgres") for i in range(plan.postgres_restarts)]
    return sorted(faults)


async def _inject(
    plan: Plan, stack: Stack, infra: PrivateInfra | None, faults: Faults, started: float
) -> None:
    rng = random.Random(plan.seed)
    for at, fault in _schedule(plan, rng):
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        began = time.monotonic()
        if fault == "kill":
            name = await asyncio.to_thread(_kill_one, stack, rng)
            faults.kills.append({"at": round(began - started, 1), "process": name})
        else:
            assert infra is not None, "broker and database restarts need the private servers"
            restart = infra.restart_kafka if fault == "kafka" else infra.restart_postgres
            await asyncio.to_thread(restart)
            took = round(time.monotonic() - began, 1)
            faults.restarts.append({"at": round(began - started, 1), "what": fault, "took": took})
        faults.last_fault_ended = time.monotonic()


def _processes_restarted(stack: Stack) -> None:
    """Whatever a fault left down is started again (a supervisor would)."""
    for process in stack.processes.values():
        if process.popen is None or process.popen.poll() is not None:
            process.start()
    for process in stack.processes.values():
        process.wait_ready(timeout=120)


@contextlib.contextmanager
def _product(plan: Plan, folder: Path) -> Iterator[tuple[Stack, PrivateInfra | None, Databases]]:
    if plan.target == "embedded":
        stack = embedded_stack(folder / "embedded", extra_env={"GAPLESS_SEED_DEMO": "false"})
        data = Path(stack.env["GAPLESS_DATA_DIR"])
        dbs = Databases(
            url_for={s: f"sqlite:///{data / f'{s}.db'}" for s in checker.SERVICES},
            schema_for={s: s for s in checker.SERVICES},
        )
        infra = None
    else:
        infra = PrivateInfra(folder / "infra")
        servers = infra.up()
        stack = scaleout_stack(
            folder / "stack",
            postgres_dsn=servers["POSTGRES_DSN"],
            kafka=servers["KAFKA_BOOTSTRAP_SERVERS"],
            namespace=NAMESPACE,
            replicas=dict.fromkeys(REPLICATED, 2),
            extra_env={"GAPLESS_SEED_DEMO": "false"},
        )
        dbs = Databases(
            url_for=dict.fromkeys(checker.SERVICES, servers["POSTGRES_DSN"]),
            schema_for={s: f"{NAMESPACE}_{s}" for s in checker.SERVICES},
        )
    try:
        stack.start()
        yield stack, infra, dbs
    finally:
        stack.stop()
        if infra is not None:
            infra.down()


async def _drain(
    client: load.Client, dbs: Databases, history: load.History, limit: float
) -> tuple[float | None, dict[str, Any]]:
    """Seconds until every accepted order is settled (None: not within `limit`), and the checks."""
    databases = await dbs.open()
    try:
        started = time.monotonic()
        while time.monotonic() - started < limit:
            waiting = await checker.unsettled(databases, history)
            if not waiting:
                drained: float | None = time.monotonic() - started
                break
            # Shipped orders complete once paid: pay what the warehouse has shipped by now.
            await load.pay_orders(client, waiting[:100])
            await asyncio.sleep(2)
        else:
            drained = None
        return drained, await checker.check(databases, history)
    finally:
        for db in databases.values():
            await db.close()


async def _watchdog(client: load.Client) -> dict[str, int]:
    # Reconciliation reads every watched order: it may take a while on a loaded machine.
    report = await client.send("POST", "/v1/reconciliation/run", answer_within=120)
    stats = await client.send("GET", "/v1/andon/stats", role="staff")
    lost = len(report.json()["lost"]) if report is not None else -1
    return {"reconciliation_lost": lost, "open_gaps": stats.json()["open_gaps"] if stats else -1}


async def fault_run(plan: Plan, folder: Path) -> dict[str, Any]:
    """Run `plan` in `folder` (logs, data, private servers); the report, as JSON-ready data."""
    with _product(plan, folder) as (stack, infra, dbs):
        client = load.Client(_urls_for(stack), stack.keys)
        try:
            await client.send("PUT", "/v1/simulator", json=FAST_SIMULATOR)
            await load.define_catalogue(client)
            faults = Faults()
            started = time.monotonic()
            injecting = asyncio.create_task(_inject(plan, stack, infra, faults, started))
            budget = plan.load_seconds + 300
            steady = load.steady_load(client, rate=plan.rate, seconds=plan.load_seconds)
            await _bounded("load", steady, budget, faults)
            await _bounded("faults", injecting, budget, faults)
            await asyncio.to_thread(_processes_restarted, stack)
            since_fault = time.monotonic() - faults.last_fault_ended
            draining = _drain(client, dbs, client.history, plan.drain_limit_seconds)
            drained, checks = await _bounded(
                "drain", draining, plan.drain_limit_seconds + 180, faults
            ) or (None, {})
            watchdog = await _bounded("watchdog", _watchdog(client), 240, faults) or {}
        finally:
            await client.close()
    drain = None if drained is None else round(drained + since_fault, 1)
    return {
        "plan": asdict(plan),
        "load": client.history.as_dict(),
        "faults": {"kills": faults.kills, "restarts": faults.restarts},
        "drain_seconds_after_last_fault": drain,
        "checks": checks,
        "watchdog": watchdog,
        "refusals_503": client.history.statuses[503],
        "phases_over_time": faults.over_time,
        # The cause of each 500 the product answered, for whoever reads a failed run.
        "server_error_log": _server_errors_logged(stack),
    }


def _server_errors_logged(stack: Stack, most: int = 20) -> list[str]:
    """The requests the product logged as failed (a 500), with the last line of each traceback."""
    found: list[str] = []
    for name, process in stack.processes.items():
        if not process.log_path.exists():
            continue
        for line in process.log_path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # not a log record (a server's own output)
            if isinstance(record, dict) and (record.get("logger"), record.get("level")) == (
                "shared.http",
                "ERROR",
            ):
                cause = str(record.get("exc_info", "")).strip().splitlines()[-1:]
                found.append(f"{name}: {record.get('message')} {' '.join(cause)}"[:1000])
    return found[-most:]


def failures(report: dict[str, Any]) -> list[str]:
    """What makes the run fail: any check above 0, an undrained backlog, too few faults, a
    hand-off reconciliation reports lost."""
    plan = report["plan"]
    wrong = [f"{name}: {count}" for name, count in report["checks"].items() if count]
    wrong += [f"{phase} over its time budget" for phase in report["phases_over_time"]]
    if not report["checks"] or not report["watchdog"]:
        wrong.append("no checks or no watchdog report")
    if report["drain_seconds_after_last_fault"] is None:
        wrong.append(f"not drained within {plan['drain_limit_seconds']}s")
    if report["watchdog"].get("reconciliation_lost", 0) != 0:
        wrong.append(f"reconciliation lost: {report['watchdog']['reconciliation_lost']}")
    if len(report["faults"]["kills"]) < plan["kills"]:
        wrong.append("fewer kills than planned")
    if report["load"]["unanswered"]:
        wrong.append(f"requests never answered: {report['load']['unanswered']}")
    return wrong
