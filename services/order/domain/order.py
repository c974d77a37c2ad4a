"""Order aggregate: intake, holds, changes, cancellation, release and completion decisions."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.order.domain.answers import ANSWERS
from services.order.domain.errors import (
    OrderAlreadyShippedError,
    OrderClosedError,
    OrderNotHeldError,
    ReleasedUnitsError,
)
from services.order.domain.holds import AndonStop, OrderHolds
from services.order.domain.intake import OrderTerms
from services.order.domain.progress import (
    BLOCKING_HOLDS,
    fully_covered,
    line_changes,
    releasable,
    return_errors,
)
from services.order.domain.state import OrderState
from services.order.events import (
    OrderCancelled,
    OrderChanged,
    OrderCompleted,
    OrderConfirmed,
    OrderHeld,
    OrderHoldLifted,
    OrderLine,
    OrderPlaced,
    OrderRejected,
    OrderReleased,
    ReturnRecorded,
    ShippedLine,
    ShipTo,
)
from shared.aggregate import event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent

NOT_CONFIRMED = "not confirmed in time"


@dataclass(frozen=True)
class Intake:
    """What the order service knows at intake, besides the lines."""

    customer_id: str
    channel: str
    external_id: str | None
    ship_to: ShipTo
    terms: OrderTerms
    received_at: datetime
    accepted_at: datetime


class Order(OrderHolds):
    stream_type = "order"
    event_classes = event_map(
        OrderPlaced,
        OrderHeld,
        OrderHoldLifted,
        OrderConfirmed,
        OrderChanged,
        OrderReleased,
        OrderCancelled,
        OrderRejected,
        OrderCompleted,
        ReturnRecorded,
        *ANSWERS,
    ) | {"HoldLifted": OrderHoldLifted}  # its name before it was published

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.state = OrderState()

    @property
    def status(self) -> str:
        return self.state.status

    @classmethod
    def place(
        cls,
        order_id: UUID,
        intake: Intake,
        lines: Sequence[OrderLine],
        *,
        unusual: str | None = None,
        confirm_within: timedelta = timedelta(hours=1),
        stops: Sequence[AndonStop] = (),
    ) -> "Order":
        """`stops`: open andon pulls on the customer or a SKU hold the order from the start."""
        if not lines:
            raise InvalidRequestError("an order needs at least one line")
        order = cls(str(order_id))
        order._record(_placed(order_id, intake, lines))
        if unusual is not None:
            order._record(
                OrderHeld(
                    order_id=order_id,
                    hold="pattern_check",
                    reason=unusual,
                    confirm_by=intake.accepted_at + confirm_within,
                )
            )
        for stop in stops:
            order.hold_for_pull(stop)
        return order

    def confirm(self) -> None:
        if self.state.confirmed and "pattern_check" not in self.state.holds:
            return  # a retried confirmation
        if "pattern_check" not in self.state.holds or self.state.ended:
            raise OrderNotHeldError(self.order_id)
        self._record(OrderConfirmed(order_id=self.order_id))
        self.release_if_ready()

    def expire_confirmation(self, now: datetime) -> None:
        confirm_by = self.state.confirm_by
        if "pattern_check" in self.state.holds and confirm_by is not None and now >= confirm_by:
            self.cancel(NOT_CONFIRMED)

    def change(self, lines: Sequence[OrderLine] | None, ship_to: ShipTo | None) -> None:
        self._refuse_unless_changeable("changed")
        new_lines = tuple(lines) if lines is not None else tuple(self.state.lines.values())
        changes = line_changes(self.state.lines, new_lines)
        new_ship_to = ship_to or self.state.ship_to
        if not changes and new_ship_to == self.state.ship_to:
            return  # the same PATCH again changes nothing
        for line in new_lines:
            released = self.state.released.get(line.sku, 0)
            if line.quantity < released:
                raise ReleasedUnitsError(self.order_id, line.sku, released)
        for sku, released in self.state.released.items():
            if released and sku not in {line.sku for line in new_lines}:
                raise ReleasedUnitsError(self.order_id, sku, released)
        assert new_ship_to is not None
        self._record(
            OrderChanged(
                order_id=self.order_id,
                lines=new_lines,
                changes=changes,
                total_cents=sum(line.quantity * line.unit_price_cents for line in new_lines),
                ship_to=new_ship_to,
            )
        )
        self.release_if_ready()

    def cancel(self, reason: str) -> None:
        if self.state.ended == "cancelled":
            return  # cancelling twice is one cancellation
        self._refuse_unless_changeable("cancelled")
        self._record(OrderCancelled(order_id=self.order_id, reason=reason))

    def reject(self, reason: str) -> None:
        if self.state.ended is None:
            self._record(OrderRejected(order_id=self.order_id, reason=reason))

    def release_if_ready(self) -> None:
        state = self.state
        if state.ended or state.holds & BLOCKING_HOLDS or state.placed is None:
            return
        if state.credit_approved_cents != state.total_cents:
            return  # credit has not (yet) approved the current total
        lines = releasable(state.lines, state.reserved, state.released, state.backorder_rule)
        if lines and state.ship_to is not None:
            self._record(
                OrderReleased(
                    order_id=self.order_id,
                    release_no=state.releases + 1,
                    customer_id=state.placed.customer_id,
                    lines=tuple(lines),
                    priority=state.placed.priority,
                    deadline=state.placed.deadline,
                    ship_to=state.ship_to,
                )
            )

    def complete_if_done(self) -> None:
        state = self.state
        if state.ended is not None:
            return
        done = (state.shipped, state.units_invoiced(), state.units_invoiced(paid_only=True))
        if all(fully_covered(state.lines, units) for units in done):
            self._record(OrderCompleted(order_id=self.order_id, total_cents=state.total_cents))

    def record_return(self, lines: Sequence[ShippedLine], reason: str) -> ReturnRecorded:
        """Units sent back: only what shipped on this order and was not returned before."""
        state = self.state
        if errors := return_errors(lines, state.lines, state.shipped, state.returned):
            raise InvalidRequestError(
                "the return does not match what the order shipped", errors=errors
            )
        returned = ReturnRecorded(
            order_id=self.order_id, return_no=state.returns + 1, lines=tuple(lines), reason=reason
        )
        self._record(returned)
        return returned

    def _refuse_unless_changeable(self, action: str) -> None:
        if any(self.state.shipped.values()):
            raise OrderAlreadyShippedError(self.order_id, action)
        if self.state.ended is not None:
            raise OrderClosedError(self.order_id, self.state.ended, action)

    def _apply(self, event: DomainEvent) -> None:
        self.state.apply(event)


def _placed(order_id: UUID, intake: Intake, lines: Sequence[OrderLine]) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id=intake.customer_id,
        channel=intake.channel,
        external_id=intake.external_id,
        lines=tuple(lines),
        total_cents=sum(line.quantity * line.unit_price_cents for line in lines),
        ship_to=intake.ship_to,
        segment=intake.terms.segment,
        priority=intake.terms.priority,
        deadline=intake.terms.deadline,
        backorder_rule=intake.terms.backorder_rule,
        received_at=intake.received_at,
    )
