"""Tolerant-reader models of the events the inventory service reacts to."""

from collections import Counter
from collections.abc import Iterable
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Line(_Inbound):
    sku: str
    quantity: int


class ItemDefined(_Inbound):
    sku: str
    reorder_point: int = 0


class OrderPlaced(_Inbound):
    order_id: UUID
    lines: tuple[Line, ...]
    # Defaults for orders placed before priorities existed: lowest priority, due at placement.
    priority: int = 1
    deadline: AwareDatetime | None = None
    protection_floor: int = 0


class QuantityChange(_Inbound):
    sku: str
    quantity_delta: int


class OrderChanged(_Inbound):
    order_id: UUID
    lines: tuple[Line, ...]
    changes: tuple[QuantityChange, ...]
    protection_floor: int = 0


class OrderReleased(_Inbound):
    order_id: UUID
    release_no: int
    lines: tuple[Line, ...]
    protection_floor: int = 0


class BumpAnswer(_Inbound):
    """ReservationYielded and ReservationKept: the asked order's answer to a bump request."""

    order_id: UUID
    sku: str
    quantity: int
    to_order_id: UUID


class OrderEnded(_Inbound):
    """OrderCancelled and OrderRejected: the order no longer needs any stock."""

    order_id: UUID
    reason: str = ""


class ShipmentShipped(_Inbound):
    shipment_id: UUID
    order_id: UUID
    lines: tuple[Line, ...]


class AndonEvent(_Inbound):
    """AndonPulled and AndonResolved: only a `sku` target concerns the inventory."""

    pull_id: UUID
    # Plain text, not an enum: a target kind added later is ignored, not dead-lettered.
    target_kind: str
    target_id: str


def quantities_by_sku(lines: Iterable[Line]) -> dict[str, int]:
    """Units per SKU, in SKU order: one stream per SKU, always taken in the same order, so two
    batches touching the same SKUs never wait for each other in opposite orders."""
    totals: Counter[str] = Counter()
    for line in lines:
        totals[line.sku] += line.quantity
    return dict(sorted(totals.items()))
