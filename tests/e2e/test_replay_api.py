"""Replay from the API on the running product: every read model rebuilds to the same hash, a
dry run changes nothing, and events re-delivered to a consumer group change nothing."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from shared.testing.polling import eventually
from tests.e2e.clients import Api
from tests.e2e.conftest import running_stack
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
READ_MODEL_OWNERS = ("order", "inventory", "credit", "fulfillment", "andon", "simulator")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("replay")
    with running_stack("embedded", folder, extra_env={"GAPLESS_SEED_DEMO": "false"}) as stack:
        yield stack


@pytest.fixture
async def api(embedded: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield Api(embedded, client)


async def _replay(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    started = await api.request("POST", "/v1/replay", json=body)
    assert started.status_code == 202, started.text
    location = started.headers["Location"]

    async def finished() -> dict[str, Any]:
        answer = await api.request("GET", location)
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
            "from": {"offset": 0},
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
    bad = [
        {"source": "topic", "topic": "order.events", "target": "rebuild"},
        {"source": "store", "service": "order", "target": "rebuild", "order_id": str(_zero())},
        {"source": "store", "service": "nobody", "target": "rebuild"},
        {"source": "topic", "topic": "order.events", "target": "redeliver", "group": "nobody"},
        {"source": "store", "service": "order", "target": "redeliver"},
        {"source": "store", "service": "order", "target": "rebuild", "from": {}},
    ]
    for body in bad:
        answer = await api.request("POST", "/v1/replay", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    staff = await api.request(
        "POST",
        "/v1/replay",
        role="staff",
        json={"source": "store", "service": "order", "target": "rebuild", "dry_run": True},
    )
    assert staff.status_code == 403
    missing = await api.request("GET", f"/v1/replay/{_zero()}")
    assert missing.status_code == 404


def _zero() -> str:
    return "00000000-0000-0000-0000-000000000000"
