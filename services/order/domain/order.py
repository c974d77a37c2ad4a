"""Order aggregate: records the outcome of each hand-off and releases when credit and stock pass."""

from collections.abc import Sequence
from enum import StrEnum
from uuid import UUID

from services.order.events import (
    CreditApprovalRecorded,
    OrderLine,
    OrderPlaced,
    OrderRejected,
    OrderReleased,
    StockReservationRecorded,
    StockShortageRecorded,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent


class OrderStatus(StrEnum):
    PENDING = "pending"
    ON_HOLD = "on_hold"
    RELEASED = "released"
    REJECTED = "rejected"


class Order(Aggregate):
    stream_type = "order"
    event_classes = event_map(
        OrderPlaced,
        CreditApprovalRecorded,
        StockReservationRecorded,
        StockShortageRecorded,
        OrderReleased,
        OrderRejected,
    )

    status: OrderStatus
    customer_id: str
    lines: tuple[OrderLine, ...]
    credit_approved: bool
    reserved: dict[str, int]
    holds: set[str]

    @classmethod
    def place(
        cls,
        order_id: UUID,
        *,
        customer_id: str,
        channel: str,
        external_id: str | None,
        lines: Sequence[OrderLine],
    ) -> "Order":
        if not lines:
            raise InvalidRequestError("an order needs at least one line")
        order = cls(str(order_id))
        total = sum(line.quantity * line.unit_price_cents for line in lines)
        order._record(
            OrderPlaced(
                order_id=order_id,
                customer_id=customer_id,
                channel=channel,
                external_id=external_id,
                lines=tuple(lines),
                total_cents=total,
            )
        )
        return order

    @property
    def order_id(self) -> UUID:
        return UUID(self.id)

    def record_credit_approved(self) -> None:
        if self.credit_approved or self.status is OrderStatus.REJECTED:
            return  # the same approval may arrive twice as different messages
        self._record(CreditApprovalRecorded(order_id=self.order_id))
        self._release_if_ready()

    def record_stock_reserved(self, sku: str, quantity: int) -> None:
        if sku in self.reserved or self.status is OrderStatus.REJECTED:
            return
        self._record(StockReservationRecorded(order_id=self.order_id, sku=sku, quantity=quantity))
        self._release_if_ready()

    def record_stock_short(self, sku: str, requested: int, available: int) -> None:
        if "backorder" in self.holds or self.status is not OrderStatus.PENDING:
            return
        self._record(
            StockShortageRecorded(
                order_id=self.order_id, sku=sku, requested=requested, available=available
            )
        )

    def reject(self, reason: str) -> None:
        if self.status in (OrderStatus.REJECTED, OrderStatus.RELEASED):
            return
        self._record(OrderRejected(order_id=self.order_id, reason=reason))

    def _release_if_ready(self) -> None:
        all_reserved = all(line.sku in self.reserved for line in self.lines)
        if self.status is OrderStatus.PENDING and self.credit_approved and all_reserved:
            self._record(
                OrderReleased(
                    order_id=self.order_id, customer_id=self.customer_id, lines=self.lines
                )
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case OrderPlaced():
                self.status = OrderStatus.PENDING
                self.customer_id = event.customer_id
                self.lines = event.lines
                self.credit_approved = False
                self.reserved = {}
                self.holds = set()
            case CreditApprovalRecorded():
                self.credit_approved = True
            case StockReservationRecorded():
                self.reserved[event.sku] = event.quantity
            case StockShortageRecorded():
                self.status = OrderStatus.ON_HOLD
                self.holds.add("backorder")
            case OrderReleased():
                self.status = OrderStatus.RELEASED
            case OrderRejected():
                self.status = OrderStatus.REJECTED
