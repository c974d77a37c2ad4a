"""Events of the inventory service; PUBLISHED lists those that leave it on `inventory.events`."""

from typing import Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, NonNegativeFloat, NonNegativeInt, PositiveInt

from shared.messages import DomainEvent, Message

ReleaseReason = Literal["cancelled", "rejected", "changed"]
Disposition = Literal["restock", "quarantine"]


class StockLevel(Message):
    """The SKU's stock right after the event that carries it. `available` (to promise) is on
    hand less reserved, and none while an andon stops the sale. One SKU's events travel under
    their orders' keys, so a reader keeps the level of the highest `aggregateversion`."""

    on_hand: int
    reserved: NonNegativeInt
    available: int


class StockReceived(DomainEvent):
    sku: str
    quantity: PositiveInt
    on_hand: int
    level: StockLevel | None = None


class StockRequested(DomainEvent):
    """An order line asked for stock (internal: the demand record and the line's terms)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    priority: int
    deadline: AwareDatetime
    requested_at: AwareDatetime
    # Units of the SKU the order must leave available (the policy's protection levels).
    protection_floor: NonNegativeInt = 0


class StockRequestIncreased(DomainEvent):
    """A change asked for more units of a line (internal; not demand for the spike signal)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    priority: int
    deadline: AwareDatetime
    protection_floor: NonNegativeInt = 0


class StockReserved(DomainEvent):
    """`reserved_total`: the line's units reserved so far, those already shipped included (so it
    only grows between releases and bumps); `backordered_total`: units still waiting. A consumer
    can take the line's state as it stands from them. `taken_from`: the lower-priority order
    whose unreleased reservation the units were (after `StockBumped`)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    reserved_total: NonNegativeInt
    backordered_total: NonNegativeInt = 0
    level: StockLevel | None = None
    taken_from: UUID | None = Field(default=None, exclude_if=lambda order: order is None)


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
    level: StockLevel | None = None


class StockBumpRequested(DomainEvent):
    """A waiting order (`for_order_id`, of `priority`) may take reserved units of this lower-
    priority one that the protection levels keep from it, if they are not yet released to the
    warehouse: the order service decides for this order (ReservationYielded/ReservationKept)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    for_order_id: UUID
    priority: int


class StockBumped(DomainEvent):
    """The order yielded: `quantity` reserved units wait again and go to `by_order_id` (0 when
    a change of the order had freed them first); the totals are the line's after it."""

    order_id: UUID
    sku: str
    quantity: NonNegativeInt
    by_order_id: UUID
    reserved_total: NonNegativeInt
    backordered_total: NonNegativeInt
    level: StockLevel | None = None


class StockBumpDeclined(DomainEvent):
    """The order kept the units a bump asked for: released to the warehouse, or it ended
    (internal: the request is settled, and what the line holds now is never asked again)."""

    order_id: UUID
    sku: str
    for_order_id: UUID


class StockCommitted(DomainEvent):
    """The order released `quantity` units to the warehouse (`release_no`): no bump takes them
    (internal; noted only for a line some order may bump)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    release_no: PositiveInt


class StockShipped(DomainEvent):
    order_id: UUID
    sku: str
    quantity: PositiveInt
    shipment_id: UUID | None = None
    level: StockLevel | None = None


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
    level: StockLevel | None = None


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
    level: StockLevel | None = None


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
    level: StockLevel | None = None


class StockSaleResumed(DomainEvent):
    """The last pull stopping the SKU's sale was resolved (`pull_id`); the sale goes on."""

    sku: str
    pull_id: UUID
    level: StockLevel | None = None


class StockSaleStopLifted(DomainEvent):
    """A pull was resolved while another still stops the sale, or before it stopped anything
    (internal: remembers the pull, so a late or repeated pull stops nothing)."""

    sku: str
    pull_id: UUID


class OrderStockFacts(Message):
    """What inventory holds for one order, summed over its lines."""

    order_id: UUID
    reserved: NonNegativeInt
    backordered: NonNegativeInt
    shipped: NonNegativeInt


class StockFactsReported(DomainEvent):
    """Inventory's answer to a `ReconciliationRequested`: the orders it knows of the page."""

    run_id: UUID
    orders: tuple[OrderStockFacts, ...]
    page_end: UUID | None


PUBLISHED: Final = (
    StockReceived,
    StockReserved,
    StockBackordered,
    StockReleased,
    StockShipped,
    StockShortPicked,
    StockReturned,
    StockBumpRequested,
    StockBumped,
    ReorderSuggested,
    DemandSpikeDetected,
    StockSaleStopped,
    StockSaleResumed,
    StockFactsReported,
)
