"""Order aggregate: intake, holds, changes, cancellation, release and completion decisions."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from services.order.domain.answers import (
    ANSWERS,
    AddressAnswer,
    AddressRefusal,
    CreditAnswer,
    CreditNote,
    Reply,
)
from services.order.domain.changes import Rechecked
from services.order.domain.errors import (
    OrderAlreadyShippedError,
    OrderClosedError,
    OrderNotHeldError,
    ReleasedUnitsError,
)
from services.order.domain.holds import HOLD_REASONS, AndonStop, stops
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
    AddressChangeRecorded,
    AddressChangeRefusalRecorded,
    CreditApprovalRecorded,
    CreditDeclineRecorded,
    CreditNoteRecorded,
    CreditReleaseRecorded,
    CreditReviewRecorded,
    Hold,
    InvoicePaymentRecorded,
    InvoiceRecorded,
    OrderCancelled,
    OrderChanged,
    OrderCompleted,
    OrderConfirmed,
    OrderDeadlineChanged,
    OrderHeld,
    OrderHoldLifted,
    OrderLine,
    OrderPlaced,
    OrderRejected,
    OrderReleased,
    OrderShortPicked,
    ReceivedUnits,
    ReservationKept,
    ReservationYielded,
    ReturnReceiptRecorded,
    ReturnRecorded,
    ShipmentRecorded,
    ShippedLine,
    ShipTo,
    StockBackorderRecorded,
    StockBumpRecorded,
    StockReleaseRecorded,
    StockReservationRecorded,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent

NOT_CONFIRMED = "not confirmed in time"
NOTHING_LEFT = "a short pick left nothing of the order to ship"


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


class Order(Aggregate):
    """One order, from intake to completion: its decisions and the facts other departments
    report about it. Answers are facts: a repeated one is a no-op, and an ended order ignores
    late checks."""

    stream_type = "order"
    event_classes = event_map(
        OrderPlaced,
        OrderHeld,
        OrderHoldLifted,
        OrderConfirmed,
        OrderChanged,
        OrderDeadlineChanged,
        OrderReleased,
        OrderCancelled,
        OrderRejected,
        OrderCompleted,
        OrderShortPicked,
        ReturnRecorded,
        ReservationYielded,
        ReservationKept,
        *ANSWERS,
    ) | {"HoldLifted": OrderHoldLifted}  # its name before it was published
    # The status before the events being recorded (None for a new order): a unit of work tells
    # the channel of a change by comparing it with `status` (services/order/webhooks/feed.py).
    transient = frozenset({"status_before"})
    status_before: str | None = None

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.state = OrderState()

    @property
    def order_id(self) -> UUID:
        return UUID(self.id)

    @property
    def status(self) -> str:
        return self.state.status

    # -- intake and what the customer does ------------------------------------------------------

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
        order._record_fact(_placed(order_id, intake, lines))
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
        self._record_fact(OrderConfirmed(order_id=self.order_id))
        self.release_if_ready()

    def expire_confirmation(self, now: datetime) -> None:
        confirm_by = self.state.confirm_by
        if "pattern_check" in self.state.holds and confirm_by is not None and now >= confirm_by:
            self.cancel(NOT_CONFIRMED)

    def change(
        self,
        lines: Sequence[OrderLine] | None,
        ship_to: ShipTo | None,
        rechecked: Rechecked | None = None,
    ) -> None:
        """`rechecked`: what the checks the change of lines affects found, as at intake: an
        unusual change waits for confirmation, a new line on a stopped SKU holds the order, a
        change of segment moves its terms (and the customer is told of a new deadline)."""
        self._refuse_unless_changeable("changed")
        new_lines = tuple(lines) if lines is not None else tuple(self.state.lines.values())
        changes = line_changes(self.state.lines, new_lines)
        new_ship_to = ship_to or self.state.ship_to
        if not changes and new_ship_to == self.state.ship_to:
            return  # the same PATCH again changes nothing
        self._refuse_below_released(new_lines)
        assert new_ship_to is not None and self.state.terms is not None
        checks = rechecked or Rechecked()
        before, after = self.state.terms, checks.terms or self.state.terms
        self._record_fact(
            OrderChanged(
                order_id=self.order_id,
                lines=new_lines,
                changes=changes,
                total_cents=sum(line.quantity * line.unit_price_cents for line in new_lines),
                ship_to=new_ship_to,
                **asdict(after),
            )
        )
        if after.deadline != before.deadline:
            self._record(_deadline_moved(self.order_id, before, after))
        self._hold_as_rechecked(checks)
        self.release_if_ready()

    def cancel(self, reason: str) -> None:
        if self.state.ended == "cancelled":
            return  # cancelling twice is one cancellation
        self._refuse_unless_changeable("cancelled")
        self._record_fact(OrderCancelled(order_id=self.order_id, reason=reason))

    def reject(self, reason: str) -> None:
        if self.state.ended is None:
            self._record_fact(OrderRejected(order_id=self.order_id, reason=reason))

    # -- answers of credit, inventory and fulfillment ---------------------------------------------

    def record_credit_approved(self, reply: Reply, credit: CreditAnswer) -> None:
        state = self.state
        if state.ended or (
            state.credit_approved_cents == credit.amount_cents
            and "credit_review" not in state.holds
        ):
            return
        self._record_fact(
            CreditApprovalRecorded(
                **reply.fields(self.order_id),
                **credit.fields(),
            )
        )
        self.release_if_ready()

    def record_credit_review(self, reply: Reply, credit: CreditAnswer, reason: str) -> None:
        if self.state.ended or "credit_review" in self.state.holds:
            return
        self._record_fact(
            CreditReviewRecorded(
                **reply.fields(self.order_id),
                **credit.fields(),
                reason=reason,
            )
        )

    def record_credit_declined(self, reply: Reply, amount_cents: int, reason: str) -> None:
        if self.state.ended:
            return  # a late decline of an order that already ended changes nothing
        self._record_fact(
            CreditDeclineRecorded(
                **reply.fields(self.order_id), amount_cents=amount_cents, reason=reason
            )
        )
        self.reject(f"credit declined: {reason}")

    def record_credit_released(self, reply: Reply, credit: CreditAnswer, reason: str) -> None:
        if (reason, credit.amount_cents, credit.exposure_cents) in self.state.credit_releases:
            return
        self._record_fact(
            CreditReleaseRecorded(
                **reply.fields(self.order_id),
                **credit.fields(),
                reason=reason,
            )
        )

    def record_stock_reserved(
        self, reply: Reply, sku: str, quantity: int, total: int, *, taken_from: UUID | None = None
    ) -> None:
        """`taken_from`: the lower-priority order whose unreleased reservation these units were."""
        # Reservations only grow between releases; an older total arriving late changes nothing.
        if self.state.ended or total <= self.state.reserved.get(sku, 0):
            return
        self._record_fact(
            StockReservationRecorded(
                **reply.fields(self.order_id),
                sku=sku,
                quantity=quantity,
                reserved_total=total,
                taken_from=taken_from,
            )
        )
        self.release_if_ready()

    def record_stock_backordered(self, reply: Reply, sku: str, quantity: int) -> None:
        state = self.state
        if state.ended or (state.backordered.get(sku) == quantity and "backorder" in state.holds):
            return
        self._record_fact(
            StockBackorderRecorded(**reply.fields(self.order_id), sku=sku, quantity=quantity)
        )

    def record_stock_released(
        self, reply: Reply, sku: str, quantity: int, reason: str, *, totals: tuple[int, int]
    ) -> None:
        reserved_total, backordered_total = totals
        state = self.state
        unchanged = (state.reserved.get(sku, 0), state.backordered.get(sku, 0)) == totals
        if unchanged:
            return  # the release was already recorded (or changes nothing we track)
        self._record_fact(
            StockReleaseRecorded(
                **reply.fields(self.order_id),
                sku=sku,
                quantity=quantity,
                reason=reason,
                reserved_total=reserved_total,
                backordered_total=backordered_total,
            )
        )

    def answer_bump(self, sku: str, quantity: int, *, for_order_id: UUID, priority: int) -> None:
        """Inventory asks for `quantity` reserved units of `sku` for a higher-priority order.

        This order's stream decides, so a release and a bump never both take the same units:
        only units not yet released are yielded, and the SKU releases nothing more until
        inventory answers with `StockBumped`. Released units, an ended order or a bump of the
        SKU still unanswered keep what the order has."""
        state = self.state
        unreleased = state.reserved.get(sku, 0) - state.released.get(sku, 0)
        if kept_because := _kept_because(state, sku, unreleased):
            self._record(
                ReservationKept(
                    order_id=self.order_id,
                    sku=sku,
                    quantity=quantity,
                    to_order_id=for_order_id,
                    reason=kept_because,
                )
            )
            return
        self._record_fact(
            ReservationYielded(
                order_id=self.order_id,
                sku=sku,
                quantity=min(quantity, unreleased),
                to_order_id=for_order_id,
                reason=f"order {for_order_id} of higher priority ({priority}) needs it",
            )
        )

    def record_stock_bumped(
        self, reply: Reply, sku: str, quantity: int, *, by_order_id: UUID, totals: tuple[int, int]
    ) -> None:
        """Inventory settled a yield: the line's totals after it end the SKU's suspension."""
        reserved_total, backordered_total = totals
        state = self.state
        current = (state.reserved.get(sku, 0), state.backordered.get(sku, 0))
        if sku not in state.yielding and current == totals:
            return
        self._record_fact(
            StockBumpRecorded(
                **reply.fields(self.order_id),
                sku=sku,
                quantity=quantity,
                by_order_id=by_order_id,
                reserved_total=reserved_total,
                backordered_total=backordered_total,
            )
        )
        self.release_if_ready()

    def record_shipped(
        self,
        reply: Reply,
        *,
        shipment_id: UUID,
        release_no: int,
        lines: Sequence[ShippedLine],
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> None:
        if shipment_id in self.state.shipments:
            return
        self._record_fact(
            ShipmentRecorded(
                **reply.fields(self.order_id),
                shipment_id=shipment_id,
                release_no=release_no,
                lines=tuple(lines),
                carrier=carrier,
                tracking_number=tracking_number,
            )
        )
        self.complete_if_done()

    def replan_short_pick(
        self, *, shipment_id: UUID, release_no: int, step: str, lines: Sequence[ShippedLine]
    ) -> None:
        """Units a shipment came up short of follow the order's backorder rule: `ship_partial`
        backorders them, `wait_complete` cancels them (an order left with nothing is cancelled)."""
        state = self.state
        if state.ended or (shipment_id, step) in state.short_picks:
            return
        shortfall = Shortfall(shipment_id, release_no, step, lines)
        self._record_fact(shortfall.replanned(self.order_id, state))
        if not state.lines:
            self.cancel(NOTHING_LEFT)
        else:
            self.complete_if_done()

    def record_invoice(
        self, reply: Reply, invoice_id: UUID, lines: Sequence[ShippedLine], total_cents: int
    ) -> None:
        if invoice_id in self.state.invoices:
            return
        self._record_fact(
            InvoiceRecorded(
                **reply.fields(self.order_id),
                invoice_id=invoice_id,
                lines=tuple(lines),
                total_cents=total_cents,
            )
        )
        self.complete_if_done()

    def record_payment(self, reply: Reply, invoice_id: UUID, total_cents: int) -> None:
        if invoice_id in self.state.paid:
            return
        self._record_fact(
            InvoicePaymentRecorded(
                **reply.fields(self.order_id), invoice_id=invoice_id, total_cents=total_cents
            )
        )
        self.complete_if_done()

    def record_address_change(
        self, reply: Reply, shipment_id: UUID, ship_to: ShipTo, *, amended: bool
    ) -> None:
        self._record_address_answer(
            AddressChangeRecorded(
                **reply.fields(self.order_id),
                shipment_id=shipment_id,
                ship_to=ship_to,
                amended=amended,
            )
        )

    def record_address_change_refused(
        self, reply: Reply, shipment_id: UUID, refusal: AddressRefusal
    ) -> None:
        self._record_address_answer(
            AddressChangeRefusalRecorded(
                **reply.fields(self.order_id),
                shipment_id=shipment_id,
                ship_to=refusal.ship_to,
                requested=refusal.requested,
                reason=refusal.reason,
            )
        )

    def _record_address_answer(self, answer: AddressAnswer) -> None:
        """A shipment's address answers may repeat (readdressed to B, to A, to B again): only
        the same answer as the last one for that shipment is a repeat."""
        last = self.state.address_answers.get(answer.shipment_id)
        if last is None or _answered(last) != _answered(answer):
            self._record_fact(answer)

    # -- holds -----------------------------------------------------------------------------------

    def hold(self, hold: Hold, reason: str) -> None:
        if hold not in self.state.holds and not self.state.ended:
            self._record(OrderHeld(order_id=self.order_id, hold=hold, reason=reason))

    def lift_hold(self, hold: Hold, reason: str) -> None:
        if hold in self.state.holds:
            self._record(OrderHoldLifted(order_id=self.order_id, hold=hold, reason=reason))
            self.release_if_ready()

    def hold_for_pull(self, stop: AndonStop) -> None:
        """Held by this pull if it stops the order; each pull holds (and lifts) on its own."""
        state = self.state
        if state.ended or stop.pull_id in state.andon_pulls or not stops(state, self.id, stop):
            return
        self._record(
            OrderHeld(
                order_id=self.order_id, hold="andon", reason=stop.reason, pull_id=stop.pull_id
            )
        )

    def lift_pull_hold(self, pull_id: UUID, reason: str) -> None:
        """The pull was resolved: the order resumes by itself once no other pull holds it."""
        if pull_id not in self.state.andon_pulls:
            return
        self._record(
            OrderHoldLifted(
                order_id=self.order_id,
                hold="andon",
                reason=reason,
                pull_id=pull_id,
                still_held=len(self.state.andon_pulls) > 1,
            )
        )
        self.release_if_ready()

    # -- decisions --------------------------------------------------------------------------------

    def release_if_ready(self) -> None:
        state = self.state
        if state.ended or state.holds & BLOCKING_HOLDS or state.placed is None:
            return
        if state.credit_approved_cents != state.total_cents:
            return  # credit has not (yet) approved the current total
        lines = releasable(
            state.lines, state.releasable_reserved, state.released, state.backorder_rule
        )
        if lines and state.ship_to is not None and state.terms is not None:
            self._record_fact(
                OrderReleased(
                    order_id=self.order_id,
                    release_no=state.releases + 1,
                    customer_id=state.placed.customer_id,
                    lines=tuple(lines),
                    priority=state.terms.priority,
                    deadline=state.terms.deadline,
                    ship_to=state.ship_to,
                    protection_floor=state.terms.protection_floor,
                )
            )

    def complete_if_done(self) -> None:
        state = self.state
        if state.ended is not None:
            return
        done = (state.shipped, state.units_invoiced(), state.units_invoiced(paid_only=True))
        if all(fully_covered(state.lines, units) for units in done):
            self._record_fact(OrderCompleted(order_id=self.order_id, total_cents=state.total_cents))

    def record_return(self, lines: Sequence[ShippedLine], reason: str) -> ReturnRecorded:
        """Authorise units to be sent back (an RMA, `return_id`): only what shipped on this
        order and was not returned before. The warehouse receives and credits them."""
        state = self.state
        if errors := return_errors(lines, state.lines, state.shipped, state.returned):
            raise InvalidRequestError(
                "the return does not match what the order shipped", errors=errors
            )
        return_no = state.returns + 1
        returned = ReturnRecorded(
            order_id=self.order_id,
            return_no=return_no,
            lines=tuple(lines),
            reason=reason,
            return_id=return_id_for(self.order_id, return_no),
        )
        self._record_fact(returned)
        return returned

    def record_return_receipt(
        self, reply: Reply, return_id: UUID, lines: Sequence[ReceivedUnits]
    ) -> None:
        if return_id not in self.state.receipts:
            self._record_fact(
                ReturnReceiptRecorded(
                    **reply.fields(self.order_id), return_id=return_id, lines=tuple(lines)
                )
            )

    def record_credit_note(self, reply: Reply, note: CreditNote) -> None:
        if note.credit_note_id not in self.state.credit_notes:
            self._record_fact(CreditNoteRecorded(**reply.fields(self.order_id), **asdict(note)))

    def _refuse_below_released(self, new_lines: Sequence[OrderLine]) -> None:
        for line in new_lines:
            released = self.state.released.get(line.sku, 0)
            if line.quantity < released:
                raise ReleasedUnitsError(self.order_id, line.sku, released)
        for sku, released in self.state.released.items():
            if released and sku not in {line.sku for line in new_lines}:
                raise ReleasedUnitsError(self.order_id, sku, released)

    def _hold_as_rechecked(self, checks: Rechecked) -> None:
        if checks.unusual is not None and "pattern_check" not in self.state.holds:
            self._record(
                OrderHeld(
                    order_id=self.order_id,
                    hold="pattern_check",
                    reason=checks.unusual,
                    confirm_by=checks.confirm_by,
                )
            )
        for stop in checks.stops:
            self.hold_for_pull(stop)

    def _refuse_unless_changeable(self, action: str) -> None:
        if any(self.state.shipped.values()):
            raise OrderAlreadyShippedError(self.order_id, action)
        if self.state.ended is not None:
            raise OrderClosedError(self.order_id, self.state.ended, action)

    def _record_fact(self, event: DomainEvent) -> None:
        """Record `event`, then the holds it opened or lifted (a credit review, a backorder, a
        confirmation) as OrderHeld / OrderHoldLifted, so every hold is visible outside."""
        before = set(self.state.holds)
        self._record(event)
        reason = HOLD_REASONS.get(event.event_type(), event.event_type())
        for opened in sorted(self.state.holds - before):
            self._record(OrderHeld(order_id=self.order_id, hold=opened, reason=reason))
        for lifted in sorted(before - self.state.holds):
            self._record(OrderHoldLifted(order_id=self.order_id, hold=lifted, reason=reason))

    def _record(self, event: DomainEvent) -> None:
        if not self.has_pending_events:
            self.status_before = self.status if self.state.placed is not None else None
        super()._record(event)

    def _apply(self, event: DomainEvent) -> None:
        self.state.apply(event)


def return_id_for(order_id: UUID, return_no: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gapless-return:{order_id}:{return_no}")


@dataclass(frozen=True)
class Shortfall:
    """What a shipment of the order came up short of, as fulfillment reported it."""

    shipment_id: UUID
    release_no: int
    step: str
    lines: Sequence[ShippedLine]

    def replanned(self, order_id: UUID, state: OrderState) -> OrderShortPicked:
        """The missing units at the order's prices, and what its backorder rule does with them."""
        missing = tuple(
            OrderLine(sku=line.sku, quantity=line.quantity, unit_price_cents=price)
            for line in self.lines
            if (price := _unit_price(state.lines, line.sku)) is not None
        )
        cancel = state.backorder_rule == "wait_complete"
        value = sum(line.quantity * line.unit_price_cents for line in missing)
        cancelled_cents = value if cancel else 0
        return OrderShortPicked(
            order_id=order_id,
            shipment_id=self.shipment_id,
            release_no=self.release_no,
            step=self.step,
            lines=missing,
            outcome="cancelled" if cancel else "backordered",
            cancelled_cents=cancelled_cents,
            total_cents=state.total_cents - cancelled_cents,
        )


def _unit_price(lines: Mapping[str, OrderLine], sku: str) -> int | None:
    line = lines.get(sku)
    return line.unit_price_cents if line is not None else None


def _kept_because(state: OrderState, sku: str, unreleased: int) -> str | None:
    """Why the order keeps the units of `sku` inventory asked for, or None: it yields them."""
    if state.ended:
        return f"order {state.ended}"
    if sku in state.yielding:
        return "an earlier bump of the SKU is not yet settled"
    if unreleased <= 0:
        return "already released to the warehouse"
    return None


def _answered(answer: AddressAnswer) -> tuple[str, dict[str, object]]:
    """What an answer says, whenever and in reply to whatever it came."""
    return answer.event_type(), answer.model_dump(exclude={"answered_at", "in_reply_to"})


def _deadline_moved(order_id: UUID, before: OrderTerms, after: OrderTerms) -> OrderDeadlineChanged:
    return OrderDeadlineChanged(
        order_id=order_id,
        deadline=after.deadline,
        previous_deadline=before.deadline,
        reason=f"the changed order is in segment {after.segment} (was {before.segment})",
    )


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
        protection_floor=intake.terms.protection_floor,
    )
