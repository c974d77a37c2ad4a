"""The orders benchmark's smoke run: every part runs and writes its files (no timing goals)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.orders_stack import REBUILT
from tests.e2e.stack import REPO

pytestmark = pytest.mark.e2e

RATE, STEP_SECONDS, HOT_ORDERS = 5, 3, 30


def _require_servers(target: str) -> None:
    """Scale-out needs PostgreSQL and Kafka: skipped without them, but a failure in CI."""
    if target != "scaleout" or (
        os.environ.get("POSTGRES_DSN") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    ):
        return
    message = 'scale-out needs PostgreSQL and Kafka: eval "$(deploy/infra.sh up)"'
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message} -- CI runs every test")
    pytest.skip(message)


def _run_quick(target: str, output: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.orders", "--quick", "--targets", target]
    command += ["--rates", str(RATE), "--step-seconds", str(STEP_SECONDS)]
    command += ["--hot-orders", str(HOT_ORDERS), "--output-dir", str(output)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return dict(json.loads((output / "orders.json").read_text()))


@pytest.mark.parametrize("target", ["embedded", "scaleout"])
def test_a_quick_run_measures_every_part_and_writes_its_files(target: str, tmp_path: Path) -> None:
    _require_servers(target)

    document = _run_quick(target, tmp_path)

    result = document["targets"][target]
    assert "error" not in result, result["error"]
    assert {"cpus", "load_average_at_start", "load_average_at_end"} <= set(document["machine"])
    [step] = result["steps"]
    assert step["planned"] == step["offered"] == RATE * STEP_SECONDS
    assert step["accepted"] == step["released"] == step["offered"], step
    assert {"p50", "p99", "p99.9"} <= set(step["released_ms"])
    assert set(result["processes"]) <= set(step["cpu_s_per_order"])
    hot = result["hot_stream"]
    assert hot["step"]["accepted"] == hot["step"]["released"] == HOT_ORDERS, hot["step"]
    assert {"p50", "p99"} == set(hot["released"]["ratio"])
    beside = hot["beside_a_new_pair"]
    assert beside["orders"] == 2 * HOT_ORDERS, beside
    assert all(beside[name]["ratio"]["p50"] is not None for name in ("intake", "released")), beside
    rebuilt = result["rebuild"]["services"]
    assert set(rebuilt) == set(REBUILT)
    assert all(r["error"] is None and r["events"] > 0 for r in rebuilt.values()), rebuilt
    report = (tmp_path / "orders.md").read_text()
    for title in ("Rate ladder", "Sustained rate", "Hot stream", "Read-model rebuild"):
        assert f"## {title}" in report
    assert f"| {target} | {RATE} |" in report
    assert (tmp_path / "orders.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_short_profile_samples_every_process_of_the_product(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.profile", "--target", "embedded", "--rate", "5"]
    command += ["--seconds", "3", "--customers", "5", "--skus", "2", "--output-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    document = json.loads((tmp_path / "profile-embedded.json").read_text())
    processes = document["processes"]
    # The embedded parent and a worker per service, each sampled.
    assert {"embedded", "embedded/andon", "embedded/inventory"} <= set(processes), processes
    assert all("error" not in p for p in processes.values()), processes
    assert processes["embedded"]["samples"] > 0
    ours = [f["function"] for f in processes["embedded"]["ours_nearest"]]
    assert ours and all(" (services/" in f or " (shared/" in f for f in ours), ours
    assert (tmp_path / "profile-embedded.md").read_text().startswith("## py-spy, embedded")


def test_a_short_storage_run_measures_the_folder_before_and_after_retention(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "bench.storage", "--orders", "20", "--rate", "10"]
    command += ["--customers", "5", "--skus", "2", "--output-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    result = json.loads((tmp_path / "storage.json").read_text())["result"]
    assert result["orders"]["accepted"] == 20, result["orders"]
    totals = result["totals"]
    # The retention job frees pages (its period passed): in use drops, and VACUUM gives them back.
    assert totals["after_pruning"]["in_use"] < totals["after_orders"]["in_use"], totals
    assert totals["after_vacuum"]["file"] <= totals["after_orders"]["file"], totals
    assert result["bytes_per_order"]["after_orders"] > 0
    assert "## Data folder (embedded) after 20 orders" in (tmp_path / "storage.md").read_text()
