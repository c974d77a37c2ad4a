"""A batch splits into lanes applied concurrently: per-key order and shared aggregates kept."""

from types import SimpleNamespace
from typing import Any

from shared.aggregate import Aggregate
from shared.consumer import independent_lanes, preload_by


class Stock(Aggregate):
    stream_type = "stock"


def item(key: str, sku: str | None = None, label: str = "") -> Any:
    preload = preload_by(Stock, "sku") if sku else None
    return SimpleNamespace(
        record=SimpleNamespace(topic="order.events", key=key.encode()),
        route=SimpleNamespace(preload=preload),
        event=SimpleNamespace(sku=sku),
        label=label or key,
    )


def labels(lanes: list[list[Any]]) -> list[list[str]]:
    return [[work.label for work in lane] for lane in lanes]


def test_one_lane_keeps_the_batch_as_it_is() -> None:
    batch = [item("a"), item("b"), item("c")]

    assert labels(independent_lanes(batch, 1)) == [["a", "b", "c"]]


def test_events_of_one_key_stay_in_one_lane_in_their_order() -> None:
    batch = [
        item("a", label="a1"),
        item("b"),
        item("a", label="a2"),
        item("c"),
        item("a", label="a3"),
    ]

    lanes = labels(independent_lanes(batch, 4))

    assert ["a1", "a2", "a3"] in lanes
    assert sorted(label for lane in lanes for label in lane) == ["a1", "a2", "a3", "b", "c"]
    assert len(lanes) == 3


def test_events_naming_one_aggregate_stay_together_even_across_keys() -> None:
    batch = [
        item("o1", sku="LAMP"),
        item("o2", sku="CLOCK"),
        item("o3", sku="LAMP"),
        item("o4", sku="FAN"),
        item("o3", label="o3-later"),
    ]

    lanes = labels(independent_lanes(batch, 8))

    assert ["o1", "o3", "o3-later"] in lanes
    assert ["o2"] in lanes and ["o4"] in lanes


def test_never_more_lanes_than_asked_and_nothing_lost() -> None:
    batch = [item(f"k{n}") for n in range(10)]

    lanes = independent_lanes(batch, 3)

    assert len(lanes) == 3
    assert sorted(len(lane) for lane in lanes) == [3, 3, 4]
    assert sorted(label for lane in labels(lanes) for label in lane) == sorted(
        f"k{n}" for n in range(10)
    )
