"""The short fault run of every `make test`: a minute of load on each runtime while product
processes are SIGKILLed (and, scale-out, Kafka and PostgreSQL restart); nothing is lost or done
twice. `make chaos` runs the long one (at least 2,000 orders, 12 kills)."""

import json
from pathlib import Path

import pytest

from tests.chaos.run import Plan, failures, fault_run

pytestmark = pytest.mark.e2e

PLANS = {
    "embedded": Plan(target="embedded", load_seconds=45, rate=3, kills=3, drain_limit_seconds=180),
    "scaleout": Plan(
        target="scaleout",
        load_seconds=60,
        rate=3,
        kills=4,
        kafka_restarts=1,
        postgres_restarts=1,
        drain_limit_seconds=240,
    ),
}


@pytest.mark.parametrize("target", sorted(PLANS))
async def test_nothing_is_lost_or_done_twice_under_faults(target: str, tmp_path: Path) -> None:
    report = await fault_run(PLANS[target], tmp_path)

    (tmp_path / "chaos-report.json").write_text(json.dumps(report, indent=2))
    assert report["load"]["orders_accepted"] >= 50, report["load"]
    assert failures(report) == [], json.dumps(report, indent=2)
