"""Event-sourced aggregate base: state is the fold of its events; guards run before recording."""

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar

from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.upcasting import Upcaster, upcast


class Aggregate:
    stream_type: ClassVar[str]
    event_classes: ClassVar[Mapping[str, type[DomainEvent]]]
    upcasters: ClassVar[Mapping[tuple[str, int], Upcaster]] = {}
    # Attributes a subclass keeps about the events it is recording (not state a fold builds):
    # never written into a snapshot, never compared.
    transient: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[DomainEvent] = []
        # The last snapshot taken of this aggregate (see shared/snapshots.py): version and size.
        self._snapshot_version = 0
        self._snapshot_bytes = 0

    @classmethod
    def stream_id_for(cls, aggregate_id: str) -> str:
        return f"{cls.stream_type}:{aggregate_id}"

    @property
    def stream_id(self) -> str:
        return self.stream_id_for(self.id)

    @classmethod
    def rehydrate(cls, aggregate_id: str, history: Iterable[DomainEvent]) -> Self:
        aggregate = cls(aggregate_id)
        for event in history:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    @classmethod
    def event_from(cls, event_type: str, data: dict[str, Any]) -> DomainEvent:
        return cls.event_classes[event_type].model_validate(data)

    @classmethod
    def decode(cls, envelope: Envelope) -> DomainEvent:
        """The stored event as today's class of it (older versions upcast first)."""
        data = upcast(cls.upcasters, envelope.event_type, envelope.event_version, envelope.data)
        return cls.event_from(envelope.event_type, data)

    @property
    def has_pending_events(self) -> bool:
        return bool(self._pending)

    def collect_events(self) -> list[DomainEvent]:
        events, self._pending = self._pending, []
        return events

    def _record(self, event: DomainEvent) -> None:
        self._apply(event)
        self.version += 1
        self._pending.append(event)

    def _apply(self, event: DomainEvent) -> None:
        raise NotImplementedError


def event_map(*classes: type[DomainEvent]) -> dict[str, type[DomainEvent]]:
    return {cls.event_type(): cls for cls in classes}


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RecentlySettled(Generic[K, V]):
    """The last `size` entries a long-lived aggregate dropped once they were settled.

    A `Stock` or a credit account forgets an order once nothing more can happen to it there, so
    its state (and snapshot) holds what is open, not its whole history. What it last knew of a
    recent one stays here: a late duplicate of a recent fact is still recognised, and the read
    model gets the settled entry's last state. Older duplicates never reach the aggregate: the
    inbox keeps every message id for longer than any redelivery window. `size` must exceed what
    one batch can settle (the consumer's batch size is bounded below it).
    """

    def __init__(self, size: int = 2_000) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def add(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecentlySettled) and self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]
