"""Andon holds on shipments and pick stops: held shipments are not picked until every hold lifts."""

from uuid import uuid4

import pytest

from services.fulfillment.domain import PickStop, Shipment, ShipmentStatus, shipment_id_for
from services.fulfillment.events import ShipmentHeld, ShipmentHoldLifted
from tests.unit.fulfillment.test_shipment import a_release, a_shipment, types


def test_a_held_waiting_shipment_is_not_picked_until_its_hold_lifts() -> None:
    shipment = a_shipment()
    pull_id = uuid4()

    shipment.hold(pull_id)
    shipment.request_pick(uuid4())

    assert shipment.collect_events() == [
        ShipmentHeld(shipment_id=shipment.plan.shipment_id, order_id=shipment.plan.order_id,
                     pull_id=pull_id)
    ]  # fmt: skip
    assert shipment.status is ShipmentStatus.WAITING

    shipment.lift_hold(pull_id)
    shipment.request_pick(uuid4())

    assert types(shipment) == ["ShipmentHoldLifted", "PickRequested"]


def test_a_shipment_already_at_the_wms_is_not_held() -> None:
    shipment = a_shipment("pick")

    shipment.hold(uuid4())

    assert shipment.collect_events() == []
    assert shipment.held_by == set()


def test_a_shipment_held_by_two_pulls_waits_until_both_are_resolved() -> None:
    shipment = a_shipment()
    first, second = uuid4(), uuid4()
    shipment.hold(first)
    shipment.hold(second)
    shipment.lift_hold(first)
    shipment.collect_events()

    shipment.request_pick(uuid4())
    assert shipment.collect_events() == []

    shipment.lift_hold(second)
    shipment.request_pick(uuid4())
    assert types(shipment) == ["ShipmentHoldLifted", "PickRequested"]


def test_holding_or_lifting_twice_records_it_once() -> None:
    shipment = a_shipment()
    pull_id = uuid4()

    shipment.hold(pull_id)
    shipment.hold(pull_id)
    shipment.lift_hold(pull_id)
    shipment.lift_hold(pull_id)

    assert [type(e) for e in shipment.collect_events()] == [ShipmentHeld, ShipmentHoldLifted]


def test_the_holds_are_rebuilt_from_the_history() -> None:
    release = a_release()
    shipment = Shipment(str(shipment_id_for(release.order_id, release.release_no)))
    shipment.plan_release(release)
    lifted, still_open = uuid4(), uuid4()
    shipment.hold(lifted)
    shipment.hold(still_open)
    shipment.lift_hold(lifted)

    replay = Shipment.rehydrate(shipment.id, shipment.collect_events())

    assert replay.held_by == {still_open}


@pytest.mark.parametrize(
    ("kind", "target", "affected"),
    [
        ("sku", "TEAPOT", True),
        ("sku", "LAVA-LAMP", False),
        ("customer", "acme", True),
        ("customer", "globex", False),
        ("step", "inventory", False),
    ],
)
def test_a_pull_concerns_the_shipments_with_its_sku_or_of_its_customer(
    kind: str, target: str, affected: bool
) -> None:
    assert a_shipment().is_affected_by(kind, target) is affected


def test_an_order_pull_concerns_that_orders_shipments_whatever_the_case_of_the_id() -> None:
    shipment = a_shipment()
    order_id = str(shipment.plan.order_id)

    assert shipment.is_affected_by("order", order_id.upper())
    assert not shipment.is_affected_by("order", str(uuid4()))


def test_a_pick_stop_is_recorded_once_and_a_pull_after_its_resolution_stops_nothing() -> None:
    stop = PickStop(str(uuid4()))

    stop.stop("sku", "TEAPOT")
    stop.stop("sku", "TEAPOT")
    stop.resume("sku", "TEAPOT")
    stop.resume("sku", "TEAPOT")
    stop.stop("sku", "TEAPOT")

    assert [e.event_type() for e in stop.collect_events()] == ["PicksStopped", "PicksResumed"]


def test_a_pull_on_a_step_stops_no_picks() -> None:
    stop = PickStop(str(uuid4()))

    stop.stop("step", "inventory")
    stop.resume("step", "inventory")

    assert stop.collect_events() == []
