"""Reconciliation across services: what one service knows that another never heard of."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.andon.domain import CrossCheck
from services.andon.events import ReconciliationRequested, ServicesReconciled

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LONG_AGO = (NOW - timedelta(hours=1)).isoformat()


def order(order_id: UUID, status: str = "released") -> dict[str, object]:
    return {
        "order_id": str(order_id),
        "status": status,
        "placed_at": LONG_AGO,
        "updated_at": LONG_AGO,
    }


def stock(order_id: UUID, reserved: int = 1) -> dict[str, object]:
    return {"order_id": str(order_id), "reserved": reserved, "backordered": 0, "shipped": 0}


def credit(order_id: UUID) -> dict[str, object]:
    return {"order_id": str(order_id), "open_review": False}


def shipments(order_id: UUID) -> dict[str, object]:
    return {
        "order_id": str(order_id),
        "shipments": 1,
        "shipped": 0,
        "last_shipped_at": None,
        "invoices": 0,
    }


def test_each_service_s_silence_about_an_order_another_knows_is_a_finding_naming_the_step() -> None:
    fine, unseen, orphan, cancelled = sorted((uuid4() for _ in range(4)), key=str)
    check = CrossCheck(str(uuid4()))
    check.start(after=None, limit=10, settle=timedelta(minutes=5), now=NOW)
    check.note("inventory", (stock(fine), stock(orphan), stock(cancelled, 2)), None, now=NOW)
    check.note("credit", (credit(fine), credit(unseen), credit(cancelled)), None, now=NOW)
    check.note("fulfillment", (shipments(fine), shipments(unseen)), None, now=NOW)

    [asked_first, asked_last] = [
        e for e in check.collect_events() if isinstance(e, ReconciliationRequested)
    ]
    assert asked_first.services == ("inventory", "credit", "fulfillment")
    assert asked_last.services == ("order",)
    assert set(asked_last.order_ids) == {fine, unseen, orphan, cancelled}
    assert check.awaiting == ["order"]

    answer = (order(fine), order(unseen), order(cancelled, "cancelled"))
    check.note("order", answer, None, now=NOW)

    [done] = [e for e in check.collect_events() if isinstance(e, ServicesReconciled)]
    assert done.checked == 4
    assert sorted((f.order_id, f.step, f.service) for f in done.findings) == sorted(
        [
            (unseen, "stock_check", "inventory"),
            (orphan, "intake", "order"),
            (cancelled, "stock_release", "inventory"),
        ]
    )
    [never] = [f for f in done.findings if f.order_id == unseen]
    assert never.problem == f"inventory never received OrderPlaced for {unseen}"


def test_only_orders_every_service_answered_for_are_compared_and_fresh_ones_are_not_judged() -> (
    None
):
    first, second, third = sorted((uuid4() for _ in range(3)), key=str)
    check = CrossCheck(str(uuid4()))
    check.start(after=None, limit=2, settle=timedelta(minutes=5), now=NOW)
    # Inventory's page is full at the second order: it may know the third, so nobody is judged
    # on it; the first was placed a moment ago and inventory may not have it yet.
    check.note("inventory", (stock(second), stock(first)), second, now=NOW)
    check.note("credit", (credit(first), credit(second)), second, now=NOW)
    check.note("fulfillment", (shipments(first), shipments(second)), None, now=NOW)
    fresh = {**order(first), "placed_at": NOW.isoformat(), "updated_at": NOW.isoformat()}
    check.note("order", (fresh, order(third)), None, now=NOW)

    [done] = [e for e in check.collect_events() if isinstance(e, ServicesReconciled)]
    assert (done.through, done.checked) == (second, 2)
    assert [(f.order_id, f.step) for f in done.findings] == [(second, "intake")]
