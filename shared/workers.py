"""Background workers in child processes: embedded mode's way to use every core.

The parent serves HTTP and runs some services itself; each other service's consumers, outbox
relay and schedules run in a child process of their own, on the same SQLite files and the same
durable local log (SQLite serialises the writers of each file across processes). A child that
dies is started again; a child whose parent died (even by SIGKILL) stops by itself, so a
restarted product never finds strangers working on its data.
"""

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

from shared.bus import Broker
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings

logger = logging.getLogger(__name__)
_RESTART_SECONDS = 1.0
_STOP_SECONDS = 10.0


class WorkerProcesses:
    """One child process per named service, kept running while the parent runs."""

    def __init__(self, module: str, services: Sequence[str]) -> None:
        self._module = module
        self.services = tuple(services)
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        for service in self.services:
            self._spawn(service)
        self._watch = asyncio.create_task(self._restart_dead(), name="workers:watch")

    def alive(self) -> dict[str, bool]:
        return {f"{s}.worker": self._children[s].poll() is None for s in self.services}

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        for child in self._children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self._children.values():
            try:
                await asyncio.to_thread(child.wait, 20)
            except subprocess.TimeoutExpired:
                child.kill()

    def _spawn(self, service: str) -> None:
        # Same interpreter, same environment: the child reads the same GAPLESS_* settings.
        # It starts under shared.child, which stops it once this process is gone.
        self._children[service] = subprocess.Popen(
            [sys.executable, "-m", "shared.child", str(os.getpid()), self._module, service],
            stdin=subprocess.DEVNULL,
        )

    async def _restart_dead(self) -> None:
        while True:
            await asyncio.sleep(_RESTART_SECONDS)
            for service, child in self._children.items():
                if child.poll() is not None:
                    logger.error(
                        "worker %s exited with %s; starting it again", service, child.returncode
                    )
                    self._spawn(service)


async def run_worker(
    definition: ServiceDefinition, settings: ServiceSettings, broker: Broker
) -> None:
    """A child's life: run the service's background work until told to stop (or orphaned:
    see shared/child.py)."""
    await broker.start()
    runtime = ServiceRuntime(definition, settings, broker)
    await runtime.open()
    await runtime.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    try:
        async with asyncio.timeout(_STOP_SECONDS):
            await runtime.stop()
            await broker.close()
    finally:
        # Whatever is left (a task that ignored its cancellation) must not keep the process up.
        os._exit(0)
