"""One order's claim on one SKU: what is reserved, what still waits, what has shipped."""

from dataclasses import dataclass
from datetime import datetime


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

    @property
    def held(self) -> int:
        """Units the order still claims: reserved or waiting (shipped ones are gone)."""
        return self.reserved + self.waiting

    @property
    def queue_key(self) -> tuple[int, datetime, int]:
        """Backorders are served by priority (higher first), deadline (earlier), then arrival."""
        return (-self.priority, self.deadline, self.arrival)

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
