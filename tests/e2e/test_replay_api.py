"""Replay from the API on the running product, both runtimes: every read model rebuilds to the
same hash, a dry run changes nothing, and events re-delivered to a consumer group (read back
from the local log or from Kafka, or from a service's event store) change nothing.

A replay runs in the process that serves the service (scale-out: the service's own process)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.roster import ALL_NAMES
from shared.testing.polling import eventually
from tests.e2e.clients import Api
from tests.e2e.conftest import stack_of_its_own
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
READ_MODEL_OWNERS = ALL_NAMES


stack = stack_of_its_own("replay", {"GAPLESS_SEED_DEMO": "false"})


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[Api]:
    """As the shared one, but with more time for a request: a replay answers once it has run."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield Api(stack, client)


def _process_url(api: Api, body: dict[str, Any]) -> str:
    """The process that runs the replay: the store's service, or the re-delivered group's."""
    processes = api.stack.processes
    if "embedded" in processes:
        return processes["embedded"].url
    service = body.get("group") or body.get("service") or "order"
    return processes[service if service in processes else "order"].url


async def _post(api: Api, body: dict[str, Any], role: str = "ops") -> httpx.Response:
    return await api.client.post(
        _process_url(api, body) + "/v1/replay",
        json=body,
        headers={"Authorization": f"Bearer {api.keys[f'{role}_key']}"},
    )


async def _replay(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    started = await _post(api, body)
    assert started.status_code == 202, started.text
    location = _process_url(api, body) + started.headers["Location"]
    ops = {"Authorization": f"Bearer {api.keys['ops_key']}"}

    async def finished() -> dict[str, Any]:
        answer = await api.client.get(location, headers=ops)
        assert answer.status_code == 200, answer.text
        job = dict(answer.json())
        assert job["status"] != "running", job
        return job

    job = await eventually(finished, timeout=60, interval=0.2)
    assert job["status"] == "done", job
    return dict(job["result"])


async def test_every_read_model_rebuilds_to_the_same_hash_and_redelivery_changes_nothing(
    api: Api,
) -> None:
    customer = await api.new_customer("replayed")
    sku = await api.new_item("replayed", stock=10)
    orders = [await api.place_order(customer, [(sku, 1 + n)]) for n in range(3)]
    for order_id in orders:
        await api.wait_for_status(order_id, "shipped", within=60)

    for service in READ_MODEL_OWNERS:
        if service == "simulator":
            continue
        checked = await _replay(
            api, {"source": "store", "service": service, "target": "rebuild", "dry_run": True}
        )
        assert checked["identical"], (service, checked)
        assert checked["committed"] is False and checked["events"] > 0
        rebuilt = await _replay(api, {"source": "store", "service": service, "target": "rebuild"})
        assert rebuilt["identical"] and rebuilt["committed"], (service, rebuilt)

    before = await _replay(
        api, {"source": "store", "service": "order", "target": "rebuild", "dry_run": True}
    )
    preview = await _replay(
        api,
        {
            "source": "topic",
            "topic": "credit.events",
            "target": "redeliver",
            "group": "order",
            "order_id": orders[0],
            "dry_run": True,
        },
    )
    assert preview["records"] == 1 and preview["event_types"] == {"CreditApproved": 1}
    redelivered = await _replay(
        api,
        {
            "source": "topic",
            "topic": "credit.events",
            "target": "redeliver",
            "group": "order",
            # The local log counts offsets across the topic; Kafka per partition: use a time
            # (within the replay window: the stack started less than an hour ago).
            "from": {"offset": 0}
            if api.stack.target == "embedded"
            else {"time": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
        },
    )
    assert redelivered["records"] >= len(orders) and redelivered["dead_lettered"] == 0
    from_store = await _replay(
        api,
        {
            "source": "store",
            "service": "order",
            "target": "redeliver",
            "group": "order",
            "event_types": ["OrderReleased"],
        },
    )
    assert from_store["records"] == len(orders)
    after = await _replay(
        api, {"source": "store", "service": "order", "target": "rebuild", "dry_run": True}
    )
    assert after["hash_before"] == before["hash_before"]
    for order_id in orders:
        assert (await api.order(order_id))["status"] == "shipped"


async def test_bad_replay_requests_are_problems(api: Api) -> None:
    bad: list[dict[str, Any]] = [
        {"source": "topic", "topic": "order.events", "target": "rebuild"},
        {"source": "store", "service": "order", "target": "rebuild", "order_id": str(_zero())},
        {"source": "store", "service": "nobody", "target": "rebuild"},
        {"source": "topic", "topic": "order.events", "target": "redeliver", "group": "nobody"},
        {"source": "store", "service": "order", "target": "redeliver"},
        {"source": "store", "service": "order", "target": "rebuild", "from": {}},
        # Older than the replay window: the inbox may have forgotten what it handled then.
        {
            "source": "topic",
            "topic": "order.events",
            "target": "redeliver",
            "group": "inventory",
            "from": {"time": (datetime.now(UTC) - timedelta(days=8)).isoformat()},
        },
    ]
    for body in bad:
        answer = await _post(api, body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    staff = await _post(
        api,
        {"source": "store", "service": "order", "target": "rebuild", "dry_run": True},
        role="staff",
    )
    assert staff.status_code == 403
    missing = await api.client.get(
        _process_url(api, {}) + f"/v1/replay/{_zero()}",
        headers={"Authorization": f"Bearer {api.keys['ops_key']}"},
    )
    assert missing.status_code == 404


def _zero() -> str:
    return "00000000-0000-0000-0000-000000000000"
