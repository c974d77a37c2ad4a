"""One order's claim on one SKU: what is reserved, what still waits, what has shipped."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass
class OrderLine:
    priority: int
    deadline: datetime
    reserved: int = 0
    waiting: int = 0
    shipped: int = 0
    # Stream version at which the line last started waiting: the tie-breaker after priority and
    # deadline, so equal claims are served in the order they began to wait.
    arrival: int = 0
    # Units of the SKU the order must leave available (the policy's protection levels).
    protection_floor: int = 0
    # Units released to the warehouse (shipped ones included) and the last release counted:
    # noted only while some order may bump this one (a protection floor above 0).
    committed: int = 0
    release_no: int = 0

    @property
    def held(self) -> int:
        """Units the order still claims: reserved or waiting (shipped ones are gone)."""
        return self.reserved + self.waiting

    @property
    def queue_key(self) -> tuple[int, datetime, int]:
        """Backorders are served by priority (higher first), deadline (earlier), then arrival."""
        return (-self.priority, self.deadline, self.arrival)

    @property
    def bumpable(self) -> int:
        """Reserved units not released to the warehouse: a higher-priority order may ask them."""
        return max(0, min(self.reserved, self.reserved + self.shipped - self.committed))

    def may_bump(self, other: "OrderLine") -> bool:
        """Whether this line may ask for `other`'s unreleased units: `other` is of lower
        priority and the protection levels keep more stock from it than from this one."""
        return other.priority < self.priority and other.protection_floor > self.protection_floor

    def take_back(self, quantity: int) -> int:
        """Drop `quantity` held units, waiting ones first; returns how many were reserved."""
        from_waiting = min(self.waiting, quantity)
        self.waiting -= from_waiting
        from_reserved = quantity - from_waiting
        self.reserved -= from_reserved
        return from_reserved

    def ship(self, quantity: int) -> int:
        """`quantity` units left the shelf, reserved ones first; returns how many were reserved."""
        from_reserved = min(self.reserved, quantity)
        self.reserved -= from_reserved
        self.shipped += quantity
        return from_reserved


@dataclass(frozen=True)
class BumpRequest:
    """Units a waiting order asked of another's reservation, until that order's answer."""

    for_order_id: UUID
    quantity: int
