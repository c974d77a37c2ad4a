"""Simulator domain: its settings, and one task per pick or shipment request."""

from datetime import datetime, timedelta
from uuid import UUID

from services.simulator.events import (
    Delivered,
    Packed,
    Picked,
    Shipped,
    ShipTo,
    SimulatorTuned,
    TaskAmended,
    TaskCancelled,
    TaskKind,
    TaskReceived,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

CARRIER = "SIM-EXPRESS"


class SimulatorSettings(Aggregate):
    """One per installation (id `simulator`); every change is a SimulatorTuned event."""

    stream_type = "simulator-settings"
    event_classes = event_map(SimulatorTuned)
    ID = "simulator"

    def __init__(self, aggregate_id: str = ID) -> None:
        super().__init__(aggregate_id)
        self.current = SimulatorTuned(
            pick_delay_ms=200, ship_delay_ms=200, failure_rate=0.0, paused=False
        )

    def tune(self, tuned: SimulatorTuned) -> None:
        if tuned != self.current:
            self._record(tuned)

    def delay(self, kind: TaskKind) -> timedelta:
        millis = self.current.pick_delay_ms if kind is TaskKind.PICK else self.current.ship_delay_ms
        return timedelta(milliseconds=millis)

    def loses(self, roll: float) -> bool:
        """`roll` is uniform in [0, 1): a failure rate of 0 never loses, 1 always does."""
        return roll < self.current.failure_rate

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case SimulatorTuned():
                self.current = event


def task_id_for(kind: TaskKind, shipment_id: UUID) -> str:
    return f"{kind}:{shipment_id}"


class Task(Aggregate):
    stream_type = "simulator-task"
    event_classes = event_map(
        TaskReceived, TaskAmended, TaskCancelled, Picked, Packed, Shipped, Delivered
    )

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id)
        self.received: TaskReceived | None = None
        self.waiting = False
        self.ship_to: ShipTo | None = None

    def receive(
        self,
        *,
        kind: TaskKind,
        shipment_id: UUID,
        order_id: UUID,
        settings: SimulatorSettings,
        now: datetime,
        roll: float,
        ship_to: ShipTo | None = None,
    ) -> None:
        if self.received is not None:
            return  # the same request again: it is already on the floor
        lost = settings.loses(roll)
        self._record(
            TaskReceived(
                task_id=self.id,
                kind=kind,
                shipment_id=shipment_id,
                order_id=order_id,
                due_at=now + settings.delay(kind),
                lost=lost,
                ship_to=ship_to,
            )
        )

    def amend(self, ship_to: ShipTo) -> None:
        """A new address counts until the goods are collected; after that the carrier's
        Shipped has told where they went."""
        if self.waiting and ship_to != self.ship_to:
            self._record(TaskAmended(task_id=self.id, ship_to=ship_to))

    def cancel(self) -> None:
        if self.waiting and self.received is not None:
            received = self.received
            self._record(
                TaskCancelled(
                    task_id=self.id, shipment_id=received.shipment_id, order_id=received.order_id
                )
            )

    def answer(self, *, settings: SimulatorSettings, now: datetime) -> None:
        """Send the confirmations once due, unless paused (then the task waits) or answered."""
        received = self.received
        if received is None or not self.waiting or settings.current.paused:
            return
        if now < received.due_at:
            return
        ids = {"shipment_id": received.shipment_id, "order_id": received.order_id}
        if received.kind is TaskKind.PICK:
            self._record(Picked(**ids))
            self._record(Packed(**ids))
        else:
            tracking = f"SIM{received.shipment_id.hex[:12].upper()}"
            self._record(
                Shipped(**ids, carrier=CARRIER, tracking_number=tracking, ship_to=self.ship_to)
            )
            self._record(Delivered(**ids))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case TaskReceived():
                self.received, self.ship_to = event, event.ship_to
                self.waiting = not event.lost
            case TaskAmended():
                self.ship_to = event.ship_to
            case TaskCancelled() | Packed() | Delivered():
                self.waiting = False
