"""Embedded mode uses every core: its services work in child processes that are restarted when
they die and that stop by themselves when the product's process is killed."""

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from services.embedded import IN_WORKERS
from tests.e2e.stack import embedded_stack

pytestmark = pytest.mark.e2e


def workers_of(data_dir: Path) -> dict[str, int]:
    """Worker processes (service -> pid) started for the product whose data is in `data_dir`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if b"services.embedded" in argv and f"GAPLESS_DATA_DIR={data_dir}".encode() in environ:
            args = [a.decode() for a in argv[argv.index(b"services.embedded") + 1 :] if a]
            if args:
                found[args[0]] = int(entry.name)
    return found


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_killed_worker_is_started_again_and_the_product_is_ready_again(tmp_path: Path) -> None:
    stack = embedded_stack(tmp_path)
    stack.start()
    try:
        workers = workers_of(tmp_path)
        assert sorted(workers) == sorted(IN_WORKERS)

        os.kill(workers["inventory"], signal.SIGKILL)

        wait_until(
            lambda: workers_of(tmp_path).get("inventory") not in (None, workers["inventory"])
        )
        url = stack.url_for("/readyz")
        wait_until(lambda: httpx.get(url, timeout=5).status_code == 200)
    finally:
        stack.stop()
    wait_until(lambda: not workers_of(tmp_path))


def test_workers_stop_by_themselves_when_the_product_is_killed(tmp_path: Path) -> None:
    stack = embedded_stack(tmp_path)
    stack.start()
    assert workers_of(tmp_path)

    stack.processes["embedded"].kill()

    wait_until(lambda: not workers_of(tmp_path), timeout=10)
