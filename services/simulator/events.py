"""Simulator events: tuning and tasks stay inside; the confirmations go OUTWARD."""

from enum import StrEnum
from typing import Final
from uuid import UUID

from pydantic import AwareDatetime, Field, NonNegativeInt

from shared.messages import DomainEvent, Message


class TaskKind(StrEnum):
    PICK = "pick"  # a WMS pick request: answered by Picked, then Packed
    SHIP = "ship"  # a TMS shipment request: answered by Shipped, then Delivered


class ShipTo(Message):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


def _absent(value: object) -> bool:
    return value is None


class SimulatorTuned(DomainEvent):
    pick_delay_ms: NonNegativeInt
    ship_delay_ms: NonNegativeInt
    failure_rate: float = Field(ge=0, le=1)
    paused: bool


class TaskReceived(DomainEvent):
    """A request to answer at `due_at`; a `lost` one is never answered (a lost hand-off).
    `ship_to`: where a shipment request sends the goods."""

    task_id: str
    kind: TaskKind
    shipment_id: UUID
    order_id: UUID
    due_at: AwareDatetime
    lost: bool
    ship_to: ShipTo | None = None


class TaskAmended(DomainEvent):
    """An amended shipment request, taken while the goods still wait for collection."""

    task_id: str
    ship_to: ShipTo


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
    """`ship_to`: the address the carrier collected it for (absent when the request had none)."""

    shipment_id: UUID
    order_id: UUID
    carrier: str
    tracking_number: str
    ship_to: ShipTo | None = Field(default=None, exclude_if=_absent)


class Delivered(DomainEvent):
    shipment_id: UUID
    order_id: UUID


# Nothing goes on simulator.events: its business facts are a WMS's and a TMS's answers.
PUBLISHED: Final = ()
OUTWARD: Final = (Picked, Packed, Shipped, Delivered)
