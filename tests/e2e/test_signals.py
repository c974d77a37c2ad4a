"""Signals to other departments: reorder point and demand spike, published on inventory.events."""

import pytest

from shared.envelope import Envelope
from tests.e2e.clients import Api, read_topics

pytestmark = pytest.mark.e2e


def _signal(read: list[Envelope], event_type: str, sku: str) -> Envelope | None:
    return next((e for e in read if e.event_type == event_type and e.data["sku"] == sku), None)


async def _published_signal(api: Api, event_type: str, sku: str) -> Envelope:
    """The first `event_type` about the SKU on inventory.events, read until it shows."""
    read = await read_topics(
        api.stack,
        ["inventory.events"],
        lambda r: _signal(r, event_type, sku) is not None,
    )
    signal = _signal(read, event_type, sku)
    assert signal is not None
    return signal


async def test_falling_below_the_reorder_point_suggests_a_reorder(api: Api) -> None:
    sku = await api.new_item("reorder", stock=10, reorder_point=5)
    customer = await api.new_customer()

    await api.place_order(customer, [(sku, 6)])

    suggested = await _published_signal(api, "ReorderSuggested", sku)
    assert (suggested.data["available"], suggested.data["reorder_point"]) == (4, 5)


async def test_a_burst_of_demand_far_above_its_baseline_is_signalled_once_per_window(
    api: Api,
) -> None:
    # A new SKU has no baseline: 24 units within minutes is >= 20 and > 5 x max(baseline, 1).
    sku = await api.new_item("spike", stock=10)
    for _ in range(3):
        await api.place_order(await api.new_customer(), [(sku, 8)])

    spike = await _published_signal(api, "DemandSpikeDetected", sku)
    assert spike.data["recent_units"] >= 20
    assert spike.data["recent_units"] > 5 * max(spike.data["baseline_units"], 1)

    later = await api.place_order(await api.new_customer(), [(sku, 8)])

    def later_answered(read: list[Envelope]) -> bool:
        return any(
            str(e.data.get("order_id")) == later and e.event_type.startswith("Stock") for e in read
        )

    # Once inventory has answered the later order, any second spike signal was published too
    # (same transaction), though maybe on another partition: read until caught up.
    read = await read_topics(api.stack, ["inventory.events"], later_answered, caught_up=True)
    spikes = [e for e in read if e.event_type == "DemandSpikeDetected" and e.data["sku"] == sku]
    assert len(spikes) == 1, "at most one demand-spike signal per SKU per 10 minutes"
