"""Starts the product as real processes for end-to-end tests: embedded, or one per service."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import httpx

from services.roster import ALL_NAMES
from shared.auth import create_credentials, digest
from shared.bus import Broker, OutgoingMessage
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.settings import KafkaSettings

SERVICES = ALL_NAMES
# Which service answers which path prefix when every service has its own port.
ROUTES = {
    "/v1/orders": "order",
    "/v1/items": "order",
    "/v1/customers": "order",
    "/v1/policy": "order",
    "/v1/classifications": "order",
    "/v1/inventory": "inventory",
    "/v1/credit": "credit",
    "/v1/shipments": "fulfillment",
    "/v1/invoices": "fulfillment",
    "/v1/payments": "fulfillment",
    "/v1/fulfillment": "fulfillment",
    "/v1/andon": "andon",
    "/v1/simulator": "simulator",
    "/v1/kpis": "order",
    "/v1/gaps": "andon",
    "/v1/complaints": "andon",
    "/v1/reconciliation": "andon",
    "/v1/improvements": "andon",
    "/v1/webhooks": "order",
}
# Every Schedule (pick waves, the simulator, pattern-check timeouts, ...) runs this often in tests.
FAST_SCHEDULES = {"GAPLESS_SCHEDULE_INTERVAL_SECONDS": "0.2"}
# A channel's webhook is tried 3 times within about a second, then its delivery is parked.
FAST_WEBHOOKS = {
    "GAPLESS_WEBHOOKS__ATTEMPTS": "3",
    "GAPLESS_WEBHOOKS__FIRST_RETRY_SECONDS": "0.2",
    "GAPLESS_WEBHOOKS__MAX_RETRY_SECONDS": "0.4",
    "GAPLESS_WEBHOOKS__TIMEOUT_SECONDS": "2",
}
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ProductProcess:
    name: str
    args: list[str]
    env: Mapping[str, str]
    port: int
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        env = {**os.environ, **self.env, "GAPLESS_PORT": str(self.port)}
        self.popen = subprocess.Popen(
            [sys.executable, *self.args], cwd=REPO, env=env, stdout=log, stderr=log
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None and self.popen.poll() is None, (
                f"{self.name} exited early; log:\n{self.log_path.read_text()[-3000:]}"
            )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(
            f"{self.name} not ready in {timeout}s:\n{self.log_path.read_text()[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the OOM killer strikes."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    """The running product: one process (embedded) or one per service (scale-out)."""

    target: str
    folder: Path
    processes: dict[str, ProductProcess] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> dict[str, str]:
        """channel_key, staff_key and ops_key of this installation."""
        return dict(json.loads((self.folder / "credentials.json").read_text()))

    @property
    def console_url(self) -> str:
        """The ops console: embedded serves it, scale-out runs it as a process of its own."""
        name = "console" if "console" in self.processes else "embedded"
        return self.processes[name].url

    def url_for(self, path: str) -> str:
        if self.target == "embedded":
            return self.processes["embedded"].url + path
        service = next(svc for prefix, svc in ROUTES.items() if path.startswith(prefix))
        return self.processes[service].url + path

    def start(self) -> None:
        for process in self.processes.values():
            process.start()
        for process in self.processes.values():
            process.wait_ready()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`gapless ARGS` (python -m services) on this installation's data, to its end."""
        return subprocess.run(
            [sys.executable, "-m", "services", *args],
            cwd=REPO,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


def _credentials(folder: Path) -> None:
    """The installation's demo keys plus a second channel, to check channels are kept apart."""
    if (folder / "keys.json").exists():
        return
    keys = create_credentials(folder)
    keys["other_channel_key"] = f"gk_other_{uuid4().hex}"
    (folder / "credentials.json").write_text(json.dumps(keys))
    entries = json.loads((folder / "keys.json").read_text())
    entries.append(
        {"key_sha256": digest(keys["other_channel_key"]), "name": "other-shop", "role": "channel"}
    )
    (folder / "keys.json").write_text(json.dumps(entries))


def embedded_stack(
    data_dir: Path, *, port: int | None = None, extra_env: Mapping[str, str] | None = None
) -> Stack:
    _credentials(data_dir)
    env = {
        "GAPLESS_DATA_DIR": str(data_dir),
        "GAPLESS_BUS": "local",
        **FAST_SCHEDULES,
        **FAST_WEBHOOKS,
        **(extra_env or {}),
    }
    process = ProductProcess(
        "embedded", ["-m", "services.embedded"], env, port or free_port(), data_dir / "embedded.log"
    )
    return Stack("embedded", data_dir, {"embedded": process}, env)


def scaleout_stack(
    log_dir: Path,
    *,
    postgres_dsn: str,
    kafka: str,
    namespace: str,
    replicas: Mapping[str, int] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Stack:
    """One process per service (`replicas` runs more of one: consumer-group members)."""
    _credentials(log_dir)
    env = {
        "GAPLESS_KEYS_FILE": str(log_dir / "keys.json"),
        "GAPLESS_BUS": "kafka",
        "GAPLESS_DATABASE_URL": postgres_dsn,
        "GAPLESS_KAFKA__BOOTSTRAP_SERVERS": kafka,
        "GAPLESS_KAFKA__PARTITIONS": "3",
        "GAPLESS_KAFKA__SESSION_TIMEOUT_MS": "6000",
        "GAPLESS_NAMESPACE": namespace,
        **FAST_SCHEDULES,
        **FAST_WEBHOOKS,
        **(extra_env or {}),
    }
    processes: dict[str, ProductProcess] = {}
    for service in SERVICES:
        for replica in range(1, (replicas or {}).get(service, 1) + 1):
            # The first process of a service keeps its plain name: url_for routes to it.
            name = service if replica == 1 else f"{service}-{replica}"
            processes[name] = ProductProcess(
                name, ["-m", f"services.{service}"], env, free_port(), log_dir / f"{name}.log"
            )
    upstreams = {prefix: processes[service].url for prefix, service in ROUTES.items()}
    console_env = {**env, "GAPLESS_CONSOLE_UPSTREAMS": json.dumps(upstreams)}
    processes["console"] = ProductProcess(
        "console", ["-m", "shared.console"], console_env, free_port(), log_dir / "console.log"
    )
    return Stack("scaleout", log_dir, processes, env)


def broker_for(stack: Stack) -> Broker:
    """A client of the stack's bus, from outside its processes."""
    if stack.target == "embedded":
        return LocalLogBroker(str(Path(stack.env["GAPLESS_DATA_DIR"]) / "events.db"))
    settings = KafkaSettings(
        bootstrap_servers=stack.env["GAPLESS_KAFKA__BOOTSTRAP_SERVERS"],
        session_timeout_ms=6_000,
    )
    return KafkaBroker(settings, namespace=stack.env["GAPLESS_NAMESPACE"])


async def inject(stack: Stack, topic: str, *, key: str, value: bytes) -> None:
    """Put raw bytes on a topic as a misbehaving producer would."""
    broker = broker_for(stack)
    await broker.start()
    try:
        await broker.publisher().publish([OutgoingMessage(topic=topic, key=key, value=value)])
    finally:
        await broker.close()
