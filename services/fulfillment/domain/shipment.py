"""Shipment aggregate: one per release, from the pick wave to the customer's door."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from services.fulfillment.events import (
    PickCancelled,
    PickLine,
    PickRequested,
    PricedLine,
    ShipmentAddressChanged,
    ShipmentAddressChangeRefused,
    ShipmentCancelled,
    ShipmentDelivered,
    ShipmentHeld,
    ShipmentHoldLifted,
    ShipmentPacked,
    ShipmentPicked,
    ShipmentPlanned,
    ShipmentRequestAmended,
    ShipmentRequestCancelled,
    ShipmentRequested,
    ShipmentShipped,
    ShipTo,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

UNKNOWN_CARRIER = "unknown"


class ShipmentStatus(StrEnum):
    WAITING = "waiting"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# Confirmations may arrive late, twice or out of order: each is accepted only while the
# shipment has not yet reached that step, so a later step implies the earlier ones.
_BEFORE_PICKED = (ShipmentStatus.WAITING, ShipmentStatus.PICKING)
_BEFORE_PACKED = (*_BEFORE_PICKED, ShipmentStatus.PICKED)
_BEFORE_SHIPPED = (*_BEFORE_PACKED, ShipmentStatus.PACKED)
_AT_THE_WMS = (ShipmentStatus.PICKING, ShipmentStatus.PICKED, ShipmentStatus.PACKED)


def shipment_id_for(order_id: UUID, release_no: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gapless-shipment:{order_id}:{release_no}")


@dataclass(frozen=True)
class Release:
    """What the order service released to the warehouse."""

    order_id: UUID
    release_no: int
    customer_id: str
    lines: Sequence[PricedLine]
    priority: int
    deadline: datetime
    ship_to: ShipTo | None


class Shipment(Aggregate):
    stream_type = "shipment"
    event_classes = event_map(
        ShipmentPlanned,
        PickRequested,
        ShipmentPicked,
        ShipmentPacked,
        ShipmentRequested,
        ShipmentShipped,
        ShipmentDelivered,
        ShipmentCancelled,
        PickCancelled,
        ShipmentRequestCancelled,
        ShipmentHeld,
        ShipmentHoldLifted,
        ShipmentAddressChanged,
        ShipmentAddressChangeRefused,
        ShipmentRequestAmended,
    )

    def __init__(self, shipment_id: str) -> None:
        super().__init__(shipment_id)
        self.status: ShipmentStatus | None = None
        self._plan: ShipmentPlanned | None = None
        # Open andon pulls keeping the shipment out of the pick waves.
        self.held_by: set[UUID] = set()
        # Where it goes: as released, or as the order's last address change it took.
        self.ship_to: ShipTo | None = None
        self._refused: ShipTo | None = None  # the last address it could not take

    @property
    def plan(self) -> ShipmentPlanned:
        assert self._plan is not None, "a shipment exists only once planned"
        return self._plan

    @property
    def is_shipped(self) -> bool:
        return self.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)

    def plan_release(self, release: Release) -> None:
        lines = tuple(line for line in release.lines if line.quantity > 0)
        if self.status is not None or not lines:
            return  # the release arrived again, or it sends nothing to the warehouse
        self._record(
            ShipmentPlanned(
                shipment_id=UUID(self.id),
                order_id=release.order_id,
                release_no=release.release_no,
                customer_id=release.customer_id,
                lines=lines,
                priority=release.priority,
                deadline=release.deadline,
                ship_to=release.ship_to,
            )
        )

    def is_affected_by(self, target_kind: str, target_id: str) -> bool:
        """Whether an andon pull on this target concerns the shipment."""
        plan = self.plan
        match target_kind:
            case "sku":
                return any(line.sku == target_id for line in plan.lines)
            case "order":
                return str(plan.order_id) == target_id.lower()
            case "customer":
                return plan.customer_id == target_id
        return False

    def hold(self, pull_id: UUID) -> None:
        """Keep a shipment not yet sent to the WMS out of the waves; one at the WMS is not
        recalled (v1)."""
        if self.status is ShipmentStatus.WAITING and pull_id not in self.held_by:
            self._record(ShipmentHeld(**self._ids(), pull_id=pull_id))

    def lift_hold(self, pull_id: UUID) -> None:
        if pull_id in self.held_by:
            self._record(ShipmentHoldLifted(**self._ids(), pull_id=pull_id))

    def request_pick(self, wave_id: UUID) -> None:
        if self.status is not ShipmentStatus.WAITING or self.held_by:
            return
        plan = self.plan
        self._record(
            PickRequested(
                **self._ids(),
                wave_id=wave_id,
                lines=self._pick_lines(),
                priority=plan.priority,
                deadline=plan.deadline,
            )
        )

    def confirm_picked(self) -> None:
        if self.status in _BEFORE_PICKED:
            self._record(ShipmentPicked(**self._ids()))

    def confirm_packed(self) -> None:
        if self.status in _BEFORE_PACKED:
            self._record(ShipmentPacked(**self._ids()))
            self._record(
                ShipmentRequested(**self._ids(), ship_to=self.ship_to, lines=self._pick_lines())
            )

    def confirm_shipped(
        self, *, carrier: str, tracking_number: str, ship_to: ShipTo | None = None
    ) -> None:
        """`ship_to`: the address the carrier collected it for, when the TMS says (an amendment
        that reached it too late leaves the earlier one)."""
        if self.status not in _BEFORE_SHIPPED:
            return
        self._record(
            ShipmentShipped(
                **self._ids(),
                release_no=self.plan.release_no,
                lines=self._pick_lines(),
                carrier=carrier,
                tracking_number=tracking_number,
            )
        )
        if ship_to is not None and self.ship_to is not None and ship_to != self.ship_to:
            reason = f"the carrier had collected it for {ship_to.city} before the amendment"
            self._record(self._refusal(kept=ship_to, requested=self.ship_to, reason=reason))

    def confirm_delivered(self) -> None:
        # Delivered goods were shipped, even if the carrier's shipped message never came.
        self.confirm_shipped(carrier=UNKNOWN_CARRIER, tracking_number="")
        if self.status is ShipmentStatus.SHIPPED:
            self._record(ShipmentDelivered(**self._ids()))

    def change_address(self, ship_to: ShipTo) -> None:
        """The order's new address, taken until the shipment ships: the shipment request carries
        it, or, once the TMS has the request (packed), an amendment does. A shipped one keeps
        the address it went to, and says so."""
        if self.status in (None, ShipmentStatus.CANCELLED) or ship_to in (
            self.ship_to,
            self._refused,
        ):
            return  # nothing to send anywhere, or the same address again
        if self.is_shipped:
            reason = "it had already shipped when the address changed"
            self._record(self._refusal(kept=self.ship_to, requested=ship_to, reason=reason))
            return
        amended = self.status is ShipmentStatus.PACKED
        self._record(ShipmentAddressChanged(**self._ids(), ship_to=ship_to, amended=amended))
        if amended:
            self._record(
                ShipmentRequestAmended(**self._ids(), ship_to=ship_to, lines=self._pick_lines())
            )

    def cancel(self, reason: str) -> None:
        if self.status not in _BEFORE_SHIPPED:
            return  # shipped goods are not recalled; a cancelled shipment stays cancelled
        if self.status in _AT_THE_WMS:
            self._record(PickCancelled(**self._ids(), reason=reason))
        if self.status is ShipmentStatus.PACKED:
            self._record(ShipmentRequestCancelled(**self._ids(), reason=reason))
        self._record(ShipmentCancelled(**self._ids(), reason=reason))

    def _refusal(
        self, *, kept: ShipTo | None, requested: ShipTo, reason: str
    ) -> ShipmentAddressChangeRefused:
        return ShipmentAddressChangeRefused(
            **self._ids(), ship_to=kept, requested=requested, reason=reason
        )

    def _ids(self) -> dict[str, UUID]:
        return {"shipment_id": UUID(self.id), "order_id": self.plan.order_id}

    def _pick_lines(self) -> tuple[PickLine, ...]:
        return tuple(PickLine(sku=line.sku, quantity=line.quantity) for line in self.plan.lines)

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ShipmentPlanned():
                self._plan, self.ship_to = event, event.ship_to
                self.status = ShipmentStatus.WAITING
            case PickRequested():
                self.status = ShipmentStatus.PICKING
            case ShipmentPicked():
                self.status = ShipmentStatus.PICKED
            case ShipmentPacked():
                self.status = ShipmentStatus.PACKED
            case ShipmentShipped():
                self.status = ShipmentStatus.SHIPPED
            case ShipmentDelivered():
                self.status = ShipmentStatus.DELIVERED
            case ShipmentCancelled():
                self.status = ShipmentStatus.CANCELLED
            case ShipmentHeld():
                self.held_by.add(event.pull_id)
            case ShipmentHoldLifted():
                self.held_by.discard(event.pull_id)
            case ShipmentAddressChanged():
                self.ship_to = event.ship_to
            case ShipmentAddressChangeRefused():
                self.ship_to, self._refused = event.ship_to, event.requested
