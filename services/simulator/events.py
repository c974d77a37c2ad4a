"""Simulator events: tuning and tasks stay inside; the confirmations go OUTWARD."""

from enum import StrEnum
from typing import Final
from uuid import UUID

from pydantic import AwareDatetime, Field, NonNegativeInt

from shared.messages import DomainEvent


class TaskKind(StrEnum):
    PICK = "pick"  # a WMS pick request: answered by Picked, then Packed
    SHIP = "ship"  # a TMS shipment request: answered by Shipped, then Delivered


class SimulatorTuned(DomainEvent):
    pick_delay_ms: NonNegativeInt
    ship_delay_ms: NonNegativeInt
    failure_rate: float = Field(ge=0, le=1)
    paused: bool


class TaskReceived(DomainEvent):
    """A request to answer at `due_at`; a `lost` one is never answered (a lost hand-off)."""

    task_id: str
    kind: TaskKind
    shipment_id: UUID
    order_id: UUID
    due_at: AwareDatetime
    lost: bool


class TaskCancelled(DomainEvent):
    task_id: str
    shipment_id: UUID
    order_id: UUID


# What a WMS and a TMS answer, on wms.confirmations and tms.confirmations.


class Picked(DomainEvent):
    shipment_id: UUID
    order_id: UUID


class Packed(DomainEvent):
    shipment_id: UUID
    order_id: UUID


class Shipped(DomainEvent):
    shipment_id: UUID
    order_id: UUID
    carrier: str
    tracking_number: str


class Delivered(DomainEvent):
    shipment_id: UUID
    order_id: UUID


# Nothing goes on simulator.events: its business facts are a WMS's and a TMS's answers.
PUBLISHED: Final = ()
OUTWARD: Final = (Picked, Packed, Shipped, Delivered)
