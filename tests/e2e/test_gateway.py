"""One entry point in front of the scale-out services: nginx (Debian's package, as `make up` runs
it) with the route table read from the routers. The README's curl examples, written against
embedded mode's single URL, run through it as they stand; only the address and the folder of
the keys differ, because this test cannot take port 8000 or the checkout's var/."""

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.roster import ALL_SERVICES
from tests.e2e.conftest import running_stack
from tests.e2e.stack import REPO, Stack, free_port
from tools.routes import nginx_config

pytestmark = pytest.mark.e2e

EMBEDDED_URL = "http://127.0.0.1:8000"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        pytest.fail("nginx is not installed: deploy/run-tests.sh installs Debian's package")
    return found


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Stack]]:
    """The scale-out stack with demo data, and the gateway's URL in front of it."""
    folder = tmp_path_factory.mktemp("gateway")
    with running_stack("scaleout", folder, extra_env={"GAPLESS_SEED_DEMO": "true"}) as stack:
        upstreams = {
            name: [p.url.removeprefix("http://")]
            for name, p in stack.processes.items()
            if name != "console"  # the ops console is a page of its own, beside the gateway
        }
        state = folder / "nginx"
        state.mkdir()
        port = free_port()
        config = state / "nginx.conf"
        config.write_text(nginx_config(upstreams, listen=f"127.0.0.1:{port}", state_dir=str(state)))
        nginx = subprocess.Popen(
            [_nginx(), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                assert nginx.poll() is None, nginx.stderr.read().decode() if nginx.stderr else ""
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the gateway did not answer"
                    time.sleep(0.2)
            yield url, stack
        finally:
            nginx.terminate()
            nginx.wait(10)


def _readme_walk_through() -> str:
    """The README's curl walk-through, the shell block that places, ships and pays an order and
    pulls and resolves an andon."""
    text = (REPO / "README.md").read_text()
    return next(b for b in re.findall(r"```bash\n(.*?)```", text, re.DOTALL) if "GAPLESS=" in b)


def test_the_readme_walk_through_works_through_the_gateway(gateway: tuple[str, Stack]) -> None:
    url, stack = gateway
    script = _readme_walk_through()
    assert f"GAPLESS={EMBEDDED_URL}\n" in script

    # As a reader would paste it, pointed at this gateway and this installation's keys.
    result = subprocess.run(
        ["bash", "-c", script.replace(f"GAPLESS={EMBEDDED_URL}", f"GAPLESS={url}")],
        env={**os.environ, "GAPLESS_DATA_DIR": str(stack.folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    item, order, paid, resolved, open_pulls = _json_values(result.stdout)
    assert item["sku"] == "RETRO-CLOCK" and item["unit_price_cents"] > 0
    assert order["customer_id"] == "acme" and order["lines"][0]["sku"] == "RETRO-CLOCK"
    assert paid["invoice_id"] and paid["order_id"] == order["order_id"]
    assert (resolved["target_kind"], resolved["target_id"], resolved["open"]) == (
        "sku",
        "LAVA-LAMP",
        False,
    )
    ticket = resolved["ticket"]
    assert ticket["resolved_by"] and ticket["root_cause"] == "packing foam too thin", ticket
    assert open_pulls == []


def _json_values(text: str) -> list[Any]:
    """The JSON documents curl printed one after another (without newlines between them)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while (at := len(text) - len(text[at:].lstrip())) < len(text):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def _plain_get_paths() -> list[tuple[str, str]]:
    """(service, path) of every GET route without path parameters."""
    found = []
    for definition in ALL_SERVICES:
        for router in definition.routers:
            for route in router.routes:
                path, methods = str(getattr(route, "path", "")), getattr(route, "methods", set())
                if path.startswith("/v1/") and "GET" in methods and "{" not in path:
                    found.append((definition.name, path))
    return found


def test_every_resource_answers_through_the_gateway_as_its_owner_does(
    gateway: tuple[str, Stack],
) -> None:
    url, stack = gateway
    ops = {"Authorization": f"Bearer {stack.keys['ops_key']}"}
    paths = _plain_get_paths()

    answers = {
        path: (
            httpx.get(f"{url}{path}", headers=ops, timeout=10).status_code,
            httpx.get(f"{stack.processes[owner].url}{path}", headers=ops, timeout=10).status_code,
        )
        for owner, path in paths
    }

    assert {owner for owner, _ in paths} == set(stack.processes) - {"console"}
    assert {p: through for p, (through, direct) in answers.items() if through != direct} == {}
    assert all(through == 200 for through, _ in answers.values()), answers
    assert httpx.get(f"{url}/v1/ordersX", timeout=10).status_code == 404
    assert httpx.get(f"{url}/admin", timeout=10).json() == {"detail": "Not Found"}
