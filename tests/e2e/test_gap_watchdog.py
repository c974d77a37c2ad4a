"""The gap watchdog: released orders the WMS never answers become gaps with an andon each.

A stack of its own per runtime, with a shipment timeout of seconds, so that the shared stacks
keep the default timeouts and no other scenario ever sees a spurious gap. The overdue step is
the shipment: it is the one a test can make overdue at will (pause the simulated WMS). A
release is due by the order's deadline (an hour at least, from the policy's response targets),
and credit and stock answers cannot be held back from outside, so their timeouts stay long here
(no answer of a busy scale-out stack is mistaken for a gap).
"""

from typing import Any

import pytest

from shared.envelope import Envelope
from tests.e2e.clients import Api, eventually, read_topics
from tests.e2e.conftest import stack_of_its_own

pytestmark = pytest.mark.e2e

SHIPMENT_TIMEOUT = 3
WATCHDOG_SETTINGS = {
    "GAPLESS_SEED_DEMO": "false",
    "GAPLESS_ANDON__SHIPMENT_TIMEOUT_SECONDS": str(SHIPMENT_TIMEOUT),
    "GAPLESS_ANDON__RELEASE_GRACE_SECONDS": "3",
    "GAPLESS_ANDON__ANSWER_TIMEOUT_SECONDS": "60",
}


stack = stack_of_its_own("watchdog", WATCHDOG_SETTINGS)


def _gaps_of(read: list[Envelope], order_ids: list[str]) -> dict[str, Envelope]:
    return {
        str(e.data["order_id"]): e
        for e in read
        if e.event_type == "GapDetected" and str(e.data["order_id"]) in order_ids
    }


async def test_released_orders_the_paused_wms_never_ships_are_gaps_with_an_andon_on_each(
    api: Api,
) -> None:
    customer = await api.new_customer("gap")
    sku = await api.new_item("gap", stock=5)
    await api.tune_simulator(paused=True)
    try:
        orders = [await api.place_order(customer, [(sku, 1)]) for _ in range(2)]
        for order_id in orders:
            await api.wait_for_release(order_id)

        gaps = await _open_gaps(api, orders, within=SHIPMENT_TIMEOUT + 20)

        read = await read_topics(
            api.stack, ["andon.events"], lambda r: len(_gaps_of(r, orders)) == len(orders)
        )
        for order_id, detected in _gaps_of(read, orders).items():
            gap = gaps[order_id]
            assert detected.data["step"] == "shipment", detected
            assert str(detected.data["pull_id"]) == str(gap["pull_id"]), (detected, gap)
            pulls = await api.open_pulls_on("order", order_id)
            assert [str(p["pull_id"]) for p in pulls] == [str(gap["pull_id"])], pulls
            [pull] = pulls
            assert (pull["automatic"], pull["category"], pull["pulled_by"]) == (
                True,
                "process",
                "gap-watchdog",
            ), pull
            assert pull["details"]["step"] == "shipment", pull
            await api.wait_for_order(order_id, lambda o: "andon" in o["holds"])
    finally:
        await api.tune_simulator(paused=False)

    for order_id in orders:
        await api.wait_for_order(order_id, lambda o: o["status"] == "shipped", within=30)
    await _no_open_gap(api, orders)
    for order_id in orders:
        await api.resolve(str(gaps[order_id]["pull_id"]))
        await api.complete(order_id)
        # Released before the gap held it, the order may complete before the lift arrives: the
        # lift comes on andon's topic, the payment that completes it on fulfillment's.
        await api.wait_for_order(order_id, lambda o: o["holds"] == [])


async def _open_gaps(api: Api, orders: list[str], *, within: float) -> dict[str, dict[str, Any]]:
    """The open gap of each order, once every one is listed with the andon it pulled."""

    async def listed() -> dict[str, dict[str, Any]]:
        gaps = {str(g["order_id"]): g for g in await api.gaps() if str(g["order_id"]) in orders}
        assert sorted(gaps) == sorted(orders), gaps
        for gap in gaps.values():
            assert gap["step"] == "shipment" and gap["pull_id"] is not None, gap
            assert gap["overdue_seconds"] >= 0 and gap["expected_by"], gap
        return gaps

    return await eventually(listed, timeout=within, interval=0.2)


async def _no_open_gap(api: Api, orders: list[str]) -> None:
    async def closed() -> None:
        assert [g for g in await api.gaps() if str(g["order_id"]) in orders] == []

    await eventually(closed, timeout=20, interval=0.2)
