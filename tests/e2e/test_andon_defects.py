"""Automatic pulls: repeated defects of a SKU, and a burst of dead letters from one consumer."""

from typing import Any
from uuid import uuid4

import pytest

from shared.topics import WMS_CONFIRMATIONS
from tests.e2e.clients import Api, eventually
from tests.e2e.stack import inject

pytestmark = pytest.mark.e2e

DEFECTS = 3  # the default policy: 3 defects of one SKU within 1440 minutes pull the cord


async def _automatic_pull(api: Api, kind: str, target_id: str) -> dict[str, Any]:
    async def pulled() -> dict[str, Any]:
        pulls = await api.open_pulls_on(kind, target_id)
        assert len(pulls) == 1, pulls
        return pulls[0]

    return await eventually(pulled, timeout=30, interval=0.2)


async def _defect_watch_pull(api: Api, sku: str) -> dict[str, Any]:
    """The SKU's open pull, once there, which the defect watch pulled for quality itself."""
    pull = await _automatic_pull(api, "sku", sku)
    assert (pull["category"], pull["automatic"], pull["pulled_by"]) == (
        "quality",
        True,
        "defect-watch",
    ), pull
    return pull


async def _shipped_order(api: Api, sku: str, quantity: int) -> str:
    order_id = await api.place_order(await api.new_customer("defects"), [(sku, quantity)])
    await api.wait_for_order(order_id, lambda o: o["lines"][0]["shipped"] == quantity, within=60)
    return order_id


async def test_repeated_returns_of_a_sku_pull_an_automatic_quality_andon_on_it(api: Api) -> None:
    sku = await api.new_item("returned", stock=DEFECTS + 1)
    order_id = await _shipped_order(api, sku, DEFECTS)
    too_many = await api.record_return(order_id, [(sku, DEFECTS + 1)])
    assert too_many.status_code == 422, too_many.text
    assert [e["field"] for e in too_many.json()["errors"]] == ["lines.0.quantity"]

    for _ in range(DEFECTS):
        returned = await api.record_return(order_id, [(sku, 1)], reason="cracked")
        assert returned.status_code == 201, returned.text

    pull = await _defect_watch_pull(api, sku)
    assert pull["departments"] == ["quality"], pull

    # It stops the SKU's sale like any SKU pull.
    async def stopped() -> None:
        assert (await api.stock(sku))["stopped_by"] == [str(pull["pull_id"])]

    await eventually(stopped, timeout=20)
    await api.resolve(str(pull["pull_id"]))


async def test_repeated_complaints_about_a_sku_pull_an_automatic_quality_andon_on_it(
    api: Api,
) -> None:
    sku = await api.new_item("complained", stock=DEFECTS)
    orders = [await api.place_order(await api.new_customer(), [(sku, 1)]) for _ in range(DEFECTS)]

    for order_id in orders:
        complaint = await api.complain(order_id, sku, reason="arrived scratched")
        assert complaint.status_code == 201, complaint.text

    pull = await _defect_watch_pull(api, sku)
    await api.resolve(str(pull["pull_id"]))


async def test_a_burst_of_dead_letters_from_one_consumer_is_one_open_pull_with_a_count(
    api: Api,
) -> None:
    # Only fulfillment reads WMS confirmations: every poison record here is its dead letter.
    before = await api.open_pulls_on("step", "fulfillment")
    counted_before = before[0]["pull_count"] if before else 0
    markers = [uuid4().hex for _ in range(4)]

    for marker in markers:
        # One key: the burst stays in order on one partition, so the last one is shown.
        await inject(api.stack, WMS_CONFIRMATIONS, key="burst", value=b"{bad " + marker.encode())

    async def one_pull_counting_all() -> dict[str, Any]:
        pulls = await api.open_pulls_on("step", "fulfillment")
        assert len(pulls) == 1, pulls
        pull = pulls[0]
        assert pull["pull_count"] == counted_before + len(markers), pull
        assert markers[-1] in pull["details"]["payload_excerpt"], pull
        return pull

    pull = await eventually(one_pull_counting_all, timeout=30, interval=0.2)
    if before:
        assert pull["pull_id"] == before[0]["pull_id"]
    assert (pull["category"], pull["automatic"], pull["pulled_by"]) == (
        "process",
        True,
        "dead-letter-watch",
    ), pull
    await api.resolve(str(pull["pull_id"]))
