"""Shipment domain: confirmations in any order and any number of times, cancel before/after ship."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.fulfillment.domain import Release, Shipment, ShipmentStatus, shipment_id_for
from services.fulfillment.events import (
    PricedLine,
    ShipmentAddressChanged,
    ShipmentAddressChangeRefused,
    ShipmentRequestAmended,
    ShipmentRequested,
    ShipmentShipped,
    ShipTo,
)

DEADLINE = datetime(2025, 3, 1, 12, tzinfo=UTC)


def a_release(order_id: UUID | None = None, *, release_no: int = 1, priority: int = 1) -> Release:
    return Release(
        order_id=order_id or uuid4(),
        release_no=release_no,
        customer_id="acme",
        lines=[
            PricedLine(sku="RETRO-CLOCK", quantity=2, unit_price_cents=4_999),
            PricedLine(sku="TEAPOT", quantity=1, unit_price_cents=2_500),
        ],
        priority=priority,
        deadline=DEADLINE,
        ship_to=ShipTo(name="Ada", line1="1 Loop", city="Leeds", postal_code="LS1", country="GB"),
    )


def a_shipment(*steps: str) -> Shipment:
    """A planned shipment taken through `steps` (pick, picked, ...), its events collected."""
    release = a_release()
    shipment = Shipment(str(shipment_id_for(release.order_id, release.release_no)))
    shipment.plan_release(release)
    for step in steps:
        match step:
            case "pick":
                shipment.request_pick(uuid4())
            case "picked":
                shipment.confirm_picked()
            case "packed":
                shipment.confirm_packed()
            case "shipped":
                shipment.confirm_shipped(carrier="DHL", tracking_number="T1")
    shipment.collect_events()
    return shipment


def types(shipment: Shipment) -> list[str]:
    return [event.event_type() for event in shipment.collect_events()]


def test_the_shipment_id_is_the_uuid5_of_order_and_release() -> None:
    order_id = UUID("6f1c1e44-2c7f-4f1e-9a55-0c3f0f7f2a10")

    assert shipment_id_for(order_id, 2) == shipment_id_for(order_id, 2)
    assert shipment_id_for(order_id, 1) != shipment_id_for(order_id, 2)


def test_a_release_arriving_twice_plans_one_shipment() -> None:
    release = a_release()
    shipment = Shipment(str(shipment_id_for(release.order_id, 1)))

    shipment.plan_release(release)
    shipment.plan_release(release)

    assert types(shipment) == ["ShipmentPlanned"]
    assert shipment.status is ShipmentStatus.WAITING


def test_a_release_without_units_plans_nothing() -> None:
    release = a_release()
    empty = Release(**{**release.__dict__, "lines": []})
    shipment = Shipment(str(uuid4()))

    shipment.plan_release(empty)

    assert types(shipment) == []
    assert shipment.status is None


def test_the_happy_path_requests_a_pick_then_transport_then_ships() -> None:
    shipment = a_shipment()

    shipment.request_pick(uuid4())
    shipment.confirm_picked()
    shipment.confirm_packed()
    shipment.confirm_shipped(carrier="DHL", tracking_number="T1")
    shipment.confirm_delivered()

    assert types(shipment) == [
        "PickRequested",
        "ShipmentPicked",
        "ShipmentPacked",
        "ShipmentRequested",
        "ShipmentShipped",
        "ShipmentDelivered",
    ]
    assert shipment.status is ShipmentStatus.DELIVERED


def test_every_confirmation_arriving_twice_has_one_effect() -> None:
    shipment = a_shipment("pick")

    for _ in range(2):
        shipment.confirm_picked()
        shipment.confirm_packed()
        shipment.confirm_shipped(carrier="DHL", tracking_number="T1")
        shipment.confirm_delivered()

    assert types(shipment) == [
        "ShipmentPicked",
        "ShipmentPacked",
        "ShipmentRequested",
        "ShipmentShipped",
        "ShipmentDelivered",
    ]


def test_packed_before_picked_implies_picked_and_a_late_picked_changes_nothing() -> None:
    shipment = a_shipment("pick")

    shipment.confirm_packed()
    shipment.confirm_picked()

    assert types(shipment) == ["ShipmentPacked", "ShipmentRequested"]
    assert shipment.status is ShipmentStatus.PACKED


def test_shipped_before_packed_is_accepted_as_implying_packed() -> None:
    shipment = a_shipment("pick", "picked")

    shipment.confirm_shipped(carrier="DHL", tracking_number="T1")
    shipment.confirm_packed()

    assert types(shipment) == ["ShipmentShipped"]
    assert shipment.status is ShipmentStatus.SHIPPED


def test_delivered_before_shipped_ships_with_an_unknown_carrier_then_delivers() -> None:
    shipment = a_shipment("pick", "picked", "packed")

    shipment.confirm_delivered()
    shipment.confirm_shipped(carrier="DHL", tracking_number="T1")

    events = shipment.collect_events()
    assert [e.event_type() for e in events] == ["ShipmentShipped", "ShipmentDelivered"]
    assert events[0].model_dump()["carrier"] == "unknown"


def test_shipped_lists_exactly_the_released_lines() -> None:
    shipment = a_shipment("pick", "picked", "packed")

    shipment.confirm_shipped(carrier="DHL", tracking_number="T1")

    [shipped] = shipment.collect_events()
    assert shipped.model_dump(mode="json")["lines"] == [
        {"sku": "RETRO-CLOCK", "quantity": 2},
        {"sku": "TEAPOT", "quantity": 1},
    ]


def test_a_pick_is_requested_only_once_whatever_the_waves() -> None:
    shipment = a_shipment()

    shipment.request_pick(uuid4())
    shipment.request_pick(uuid4())

    assert types(shipment) == ["PickRequested"]


class TestCancel:
    def test_a_waiting_shipment_is_cancelled_without_bothering_the_wms(self) -> None:
        shipment = a_shipment()

        shipment.cancel("customer changed their mind")

        assert types(shipment) == ["ShipmentCancelled"]
        assert shipment.status is ShipmentStatus.CANCELLED

    def test_a_shipment_being_picked_also_tells_the_wms(self) -> None:
        shipment = a_shipment("pick", "picked")

        shipment.cancel("customer changed their mind")

        assert types(shipment) == ["PickCancelled", "ShipmentCancelled"]

    def test_a_packed_shipment_also_tells_the_tms(self) -> None:
        shipment = a_shipment("pick", "picked", "packed")

        shipment.cancel("customer changed their mind")

        assert types(shipment) == ["PickCancelled", "ShipmentRequestCancelled", "ShipmentCancelled"]

    def test_a_shipped_shipment_is_not_cancelled(self) -> None:
        shipment = a_shipment("pick", "picked", "packed", "shipped")

        shipment.cancel("too late")

        assert types(shipment) == []
        assert shipment.status is ShipmentStatus.SHIPPED

    def test_confirmations_after_a_cancel_change_nothing(self) -> None:
        shipment = a_shipment("pick")
        shipment.cancel("customer changed their mind")
        shipment.collect_events()

        shipment.confirm_picked()
        shipment.confirm_packed()
        shipment.confirm_shipped(carrier="DHL", tracking_number="T1")
        shipment.confirm_delivered()
        shipment.cancel("again")

        assert types(shipment) == []
        assert shipment.status is ShipmentStatus.CANCELLED


LEEDS = a_release().ship_to
YORK = ShipTo(name="Ada", line1="2 Minster Yard", city="York", postal_code="YO1", country="GB")


class TestAddressChange:
    @pytest.mark.parametrize("steps", [(), ("pick",), ("pick", "picked")], ids=str)
    def test_before_the_tms_has_the_request_the_request_carries_the_new_address(
        self, steps: tuple[str, ...]
    ) -> None:
        shipment = a_shipment(*steps)

        shipment.change_address(YORK)
        shipment.confirm_packed()

        changed, _, requested = shipment.collect_events()
        assert isinstance(changed, ShipmentAddressChanged) and not changed.amended
        assert isinstance(requested, ShipmentRequested) and requested.ship_to == YORK

    def test_once_the_tms_has_the_request_it_is_sent_an_amendment_with_every_line(self) -> None:
        shipment = a_shipment("pick", "picked", "packed")

        shipment.change_address(YORK)

        changed, amended = shipment.collect_events()
        assert isinstance(changed, ShipmentAddressChanged) and changed.amended
        assert isinstance(amended, ShipmentRequestAmended) and amended.ship_to == YORK
        assert [(line.sku, line.quantity) for line in amended.lines] == [
            ("RETRO-CLOCK", 2),
            ("TEAPOT", 1),
        ]

    def test_a_shipped_shipment_refuses_it_once_saying_where_it_went(self) -> None:
        shipment = a_shipment("pick", "picked", "packed", "shipped")

        shipment.change_address(YORK)
        shipment.change_address(YORK)

        [refused] = shipment.collect_events()
        assert isinstance(refused, ShipmentAddressChangeRefused)
        assert (refused.ship_to, refused.requested) == (LEEDS, YORK)
        assert "already shipped" in refused.reason

    def test_the_same_address_or_a_cancelled_shipment_changes_nothing(self) -> None:
        unchanged, cancelled = a_shipment("pick"), a_shipment()
        cancelled.cancel("customer changed their mind")
        cancelled.collect_events()

        assert LEEDS is not None
        unchanged.change_address(LEEDS)
        cancelled.change_address(YORK)

        assert types(unchanged) == types(cancelled) == []

    def test_changing_back_and_forth_follows_every_change(self) -> None:
        shipment = a_shipment()

        for address in (YORK, LEEDS, YORK):
            assert address is not None
            shipment.change_address(address)

        assert [e.ship_to.city for e in shipment.collect_events()] == ["York", "Leeds", "York"]

    def test_a_carrier_that_collected_it_for_the_old_address_is_told_as_a_refusal(self) -> None:
        shipment = a_shipment("pick", "picked", "packed")
        shipment.change_address(YORK)
        shipment.collect_events()

        shipment.confirm_shipped(carrier="DHL", tracking_number="T1", ship_to=LEEDS)

        shipped, refused = shipment.collect_events()
        assert isinstance(shipped, ShipmentShipped)
        assert isinstance(refused, ShipmentAddressChangeRefused)
        assert (refused.ship_to, refused.requested) == (LEEDS, YORK)
        assert "Leeds" in refused.reason

    def test_a_carrier_that_collected_it_for_the_new_address_is_no_news(self) -> None:
        shipment = a_shipment("pick", "picked", "packed")
        shipment.change_address(YORK)
        shipment.collect_events()

        shipment.confirm_shipped(carrier="DHL", tracking_number="T1", ship_to=YORK)

        assert types(shipment) == ["ShipmentShipped"]
