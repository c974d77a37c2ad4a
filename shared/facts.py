"""Cross-service reconciliation, the answering side: the andon service asks on `andon.events`
for a page of orders (`ReconciliationRequested`), and each service named answers on its own
topic with its own facts about them, recorded on a `FactReport` stream of their own.

A service answers for the first `limit` orders it knows with an id after `after` (UUID order),
and for every id in `order_ids` (the orders other services reported, so that none is judged on
a page that ends earlier in one service than in another)."""

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.aggregate import Aggregate
from shared.messages import DomainEvent

# The most orders one answer may cover: the page and the ids asked for each.
MAX_FACTS_PAGE = 500


class ReconciliationRequested(BaseModel):
    """The andon service's request, as the answering services read it (tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    run_id: UUID
    services: tuple[str, ...]
    after: UUID | None = None
    limit: int = Field(ge=0, le=MAX_FACTS_PAGE)
    order_ids: tuple[UUID, ...] = Field(default=(), max_length=3 * MAX_FACTS_PAGE)

    def asks(self, service: str) -> bool:
        return service in self.services


def page_end(order_ids: list[str], limit: int) -> UUID | None:
    """The last id of a full page (the service may know more after it); None: it knows no more."""
    return UUID(order_ids[-1]) if limit and len(order_ids) >= limit else None


class FactReport(Aggregate):
    """One service's answer to one request: a single event on a stream named by the run.

    Each service subclasses it with the event it answers with (its own type on its topic)."""

    stream_type = "fact-report"
    event_classes: ClassVar[dict[str, type[DomainEvent]]] = {}

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.answered = False

    def answer(self, facts: DomainEvent) -> None:
        if not self.answered:
            self._record(facts)

    def _apply(self, _: DomainEvent) -> None:
        self.answered = True
