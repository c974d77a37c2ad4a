"""Builders for order-service tests: placed orders, replies and credit answers."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.order.domain import CreditAnswer, Intake, Order, OrderTerms, Reply
from services.order.events import BackorderRule, OrderLine, ShippedLine, ShipTo

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
SHIP_TO = ShipTo(
    name="Ada", line1="1 Main St", city="Springfield", postal_code="12345", country="US"
)
REPLY = Reply(answered_at=NOW)


def a_line(sku: str = "CLOCK", quantity: int = 2, price: int = 1_000) -> OrderLine:
    return OrderLine(sku=sku, quantity=quantity, unit_price_cents=price)


def an_intake(rule: BackorderRule = "ship_partial") -> Intake:
    terms = OrderTerms(
        segment="AA", priority=5, deadline=NOW + timedelta(hours=1), backorder_rule=rule
    )
    return Intake(
        customer_id="acme",
        channel="shop",
        external_id="ext-1",
        ship_to=SHIP_TO,
        terms=terms,
        received_at=NOW - timedelta(seconds=1),
        accepted_at=NOW,
    )


def a_placed_order(
    *lines: OrderLine,
    rule: BackorderRule = "ship_partial",
    unusual: str | None = None,
    order_id: UUID | None = None,
) -> Order:
    order = Order.place(order_id or uuid4(), an_intake(rule), lines or (a_line(),), unusual=unusual)
    order.collect_events()
    return order


def approve(order: Order, amount: int | None = None, exposure: int = 0) -> None:
    total = order.state.total_cents if amount is None else amount
    order.record_credit_approved(REPLY, CreditAnswer("acme", total, exposure))


def credit(amount: int, exposure: int = 0) -> CreditAnswer:
    return CreditAnswer("acme", amount, exposure)


def units(sku: str, quantity: int) -> list[ShippedLine]:
    return [ShippedLine(sku=sku, quantity=quantity)]


def event_types(order: Order) -> list[str]:
    return [event.event_type() for event in order.collect_events()]
