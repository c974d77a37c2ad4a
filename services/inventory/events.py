"""Events of the inventory service; PUBLISHED lists those that leave it on `inventory.events`."""

from typing import Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, NonNegativeFloat, NonNegativeInt, PositiveInt

from shared.messages import DomainEvent

ReleaseReason = Literal["cancelled", "rejected", "changed"]
Disposition = Literal["restock", "quarantine"]


class StockReceived(DomainEvent):
    sku: str
    quantity: PositiveInt
    on_hand: int


class StockRequested(DomainEvent):
    """An order line asked for stock (internal: the demand record and the line's terms)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    priority: int
    deadline: AwareDatetime
    requested_at: AwareDatetime


class StockRequestIncreased(DomainEvent):
    """A change asked for more units of a line (internal; not demand for the spike signal)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    priority: int
    deadline: AwareDatetime


class StockReserved(DomainEvent):
    """`reserved_total`: the line's units reserved so far, those already shipped included (so it
    only grows while the order lasts); `backordered_total`: units still waiting. A consumer can
    take the line's state as it stands from them."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    reserved_total: NonNegativeInt
    backordered_total: NonNegativeInt = 0


class StockBackordered(DomainEvent):
    order_id: UUID
    sku: str
    quantity: PositiveInt
    priority: int
    deadline: AwareDatetime


class StockReleased(DomainEvent):
    """Units no longer held for an order line: its waiting units go first, then reserved ones;
    `reserved_total` (shipped units included) and `backordered_total` are what the line still
    has of each."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    reason: ReleaseReason
    reserved_total: NonNegativeInt = 0
    backordered_total: NonNegativeInt = 0


class StockShipped(DomainEvent):
    order_id: UUID
    sku: str
    quantity: PositiveInt
    shipment_id: UUID | None = None


class StockShortPicked(DomainEvent):
    """The warehouse did not find `quantity` units it had reserved for an order's shipment:
    they leave on hand (written off; a count that finds them again is a receipt) and the line's
    reservation. `backordered`: the order waits for them again (reserved at once when stock is
    available, else `StockBackordered`); otherwise it cancelled them."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    shipment_id: UUID
    step: str
    backordered: bool
    on_hand: int


class StockReturned(DomainEvent):
    """Units of a customer return came back in: `restock` puts them on hand (sellable again;
    waiting backorders are served from them), `quarantine` keeps them apart, not sellable.
    `on_hand` and `quarantined`: the SKU's units of each after it."""

    sku: str
    quantity: PositiveInt
    disposition: Disposition
    order_id: UUID
    return_id: UUID
    on_hand: int
    quarantined: NonNegativeInt


class ReorderPointSet(DomainEvent):
    """The catalogue's reorder point for the SKU (internal)."""

    sku: str
    reorder_point: NonNegativeInt


class ReorderSuggested(DomainEvent):
    sku: str
    available: int
    reorder_point: NonNegativeInt


class DemandSpikeDetected(DomainEvent):
    sku: str
    recent_units: NonNegativeInt
    baseline_units: NonNegativeFloat


class StockSaleStopped(DomainEvent):
    """An andon pull on the SKU stops its sale; `blocked`: the free units it blocks now."""

    sku: str
    pull_id: UUID
    blocked: NonNegativeInt


class StockSaleResumed(DomainEvent):
    """The last pull stopping the SKU's sale was resolved (`pull_id`); the sale goes on."""

    sku: str
    pull_id: UUID


class StockSaleStopLifted(DomainEvent):
    """A pull was resolved while another still stops the sale, or before it stopped anything
    (internal: remembers the pull, so a late or repeated pull stops nothing)."""

    sku: str
    pull_id: UUID


PUBLISHED: Final = (
    StockReceived,
    StockReserved,
    StockBackordered,
    StockReleased,
    StockShipped,
    StockShortPicked,
    StockReturned,
    ReorderSuggested,
    DemandSpikeDetected,
    StockSaleStopped,
    StockSaleResumed,
)
