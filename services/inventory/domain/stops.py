"""The andon pulls stopping one SKU's sale: stopped while any is open (SPEC §2.5)."""

from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class SaleStops:
    open: set[UUID] = field(default_factory=set)
    # Pulls already resolved: remembered so that a pull delivered late stops nothing.
    lifted: set[UUID] = field(default_factory=set)

    @property
    def stopped(self) -> bool:
        return bool(self.open)

    def knows(self, pull_id: UUID) -> bool:
        return pull_id in self.open or pull_id in self.lifted

    def is_last(self, pull_id: UUID) -> bool:
        """Whether lifting this pull resumes the sale."""
        return self.open == {pull_id}

    def stop(self, pull_id: UUID) -> None:
        self.open.add(pull_id)

    def lift(self, pull_id: UUID) -> None:
        self.open.discard(pull_id)
        self.lifted.add(pull_id)
