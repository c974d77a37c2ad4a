"""A fresh clone's `make run`, as a new user meets it: it installs the product alone (no test or
lint tools), shows the install as it goes, and says when and where the product is ready."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import REPO, free_port

pytestmark = pytest.mark.e2e

READY_WITHIN_S = 600  # a first install downloads the pinned dependencies
DEVELOPMENT_TOOLS = ("pytest", "ruff", "mypy", "hypothesis", "schemathesis", "selenium")


def _wait_for(output: Path, text: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        printed = output.read_text(errors="replace")
        if text in printed:
            return printed
        assert process.poll() is None, f"make run ended ({process.returncode}):\n{printed[-3000:]}"
        time.sleep(1)
    raise AssertionError(f"no {text!r} within {READY_WITHIN_S}s:\n{printed[-3000:]}")


def test_make_run_on_a_fresh_clone_installs_the_product_alone_and_says_where_it_runs(
    tmp_path: Path,
) -> None:
    clone, data, output = tmp_path / "gapless", tmp_path / "data", tmp_path / "make-run.txt"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GAPLESS_", "VIRTUAL_ENV"))},
        "GAPLESS_DATA_DIR": str(data),
        "GAPLESS_PORT": str(port),
        "PYTHON": sys.executable,  # the interpreter these tests run on, as python3.11 would be
    }
    with output.open("wb") as printed:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=printed,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches make and the product, as in a terminal
        )
    try:
        shown = _wait_for(output, "gapless is running at", process)
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        installed = subprocess.run(
            [clone / ".venv/bin/python", "-m", "pip", "list", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    # The install is shown as it goes: what is installed, with pip's progress bars.
    assert "== installing gapless's pinned dependencies" in shown, shown[:3000]
    assert "Successfully installed" in shown and "━" in shown, shown[:3000]
    # The banner: where it runs, the console and docs, the new keys and where they are saved.
    assert f"gapless is running at http://127.0.0.1:{port}  (data in {data}/)" in shown
    assert f"ops console: http://127.0.0.1:{port}/" in shown
    saved = json.loads((data / "credentials.json").read_text())
    assert f"new API keys (also saved in {data / 'credentials.json'})" in shown
    assert all(f"{name:<12} {key}" in shown for name, key in saved.items()), shown[-2000:]
    assert "stop: Ctrl+C" in shown
    assert ready.status_code == 200, ready.text
    # Only the product: no test or lint tools in the virtualenv `make run` made.
    packages = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert "fastapi" in packages and "uvicorn" in packages
    assert packages.isdisjoint(DEVELOPMENT_TOOLS), packages & set(DEVELOPMENT_TOOLS)
