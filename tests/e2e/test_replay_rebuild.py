"""Rebuilding read models from zero out of the event store gives exactly the state there was."""

import os
import subprocess
import sys
from uuid import uuid4

import pytest

from tests.e2e.clients import Api, eventually
from tests.e2e.stack import REPO

pytestmark = pytest.mark.e2e


def _gapless(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", *args],
        cwd=REPO,
        env={**os.environ, **api.stack.env},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_rebuilt_read_models_hash_the_same_as_the_live_ones(api: Api) -> None:
    sku = f"REPLAY-{uuid4().hex[:6]}".upper()
    await api.define_item(sku)
    await api.receive(sku, 1)
    orders = [await api.place_order("customer-r", [(sku, 1)]) for _ in range(3)]

    async def settled() -> None:
        statuses = [(await api.order(order_id))["status"] for order_id in orders]
        assert "pending" not in statuses, statuses

    await eventually(settled)

    for service in ("order", "inventory", "fulfillment", "andon"):
        result = _gapless(api, "replay", "rebuild", service, "--check")
        assert result.returncode == 0, result.stderr
        assert "read models identical" in result.stderr


async def test_rebuild_refuses_an_unknown_service_with_a_clear_message(api: Api) -> None:
    result = _gapless(api, "replay", "rebuild", "warehouse")

    assert result.returncode == 2
    assert "unknown service 'warehouse'" in result.stderr
