"""Stopping the line for an andon pull, as a service acts on it: the rule in one place.

A service hears of a pull (its stop) and of its resolution (its lift) in any order, and maybe
more than once. A pull is stopped once and lifted once; a lift seen first wins, so the pull
stops nothing if it arrives late, and a pull seen again stops nothing more. Only the kinds of
target the service's stops hit count at all (a pull on a step is a ticket for ops).

- `PullStop`: an aggregate, one stream per pull. A subclass declares its stream type, its two
  events, how to build each from what it is told, and the kinds its stops hit; the rule and the
  fold are here.
- `OpenStops`: a value object for an aggregate that many pulls may stop at once (a SKU's
  stock): the open pulls, and the lifted ones so that a late pull stops nothing.
"""

from abc import ABC, abstractmethod
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class Targeted(Protocol):
    """What a service is told of a pull, as far as the rule needs it: the kind of its target."""

    @property
    def target_kind(self) -> str: ...


@dataclass(frozen=True)
class PullTarget:
    """A pull's target, for a service told nothing more of the pull than that."""

    target_kind: str
    target_id: str


S = TypeVar("S", bound=Targeted)
# None: the lift names only the pull (its target is not told, so it is not checked).
L = TypeVar("L", bound=Targeted | None)


class PullStop(Aggregate, ABC, Generic[S, L]):
    """One andon pull as one service acts on it: stopped once, lifted once, a lift seen first
    wins. `S` is what a stop is told, `L` what a lift is told."""

    stopped_by: ClassVar[type[DomainEvent]]
    lifted_by: ClassVar[type[DomainEvent]]
    # The target kinds this service's stops hit: a pull on any other kind is not its business.
    hits: ClassVar[frozenset[str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_classes = event_map(cls.stopped_by, cls.lifted_by)

    def __init__(self, pull_id: str) -> None:
        super().__init__(pull_id)
        # What the stream recorded: each stays true once seen (a lifted pull was stopped or not).
        self.stopped = False
        self.lifted = False

    @property
    def pull_id(self) -> UUID:
        return UUID(self.id)

    def _stop(self, target: S) -> None:
        """A pull seen again, or after its lift, stops nothing."""
        if target.target_kind in self.hits and not (self.stopped or self.lifted):
            self._record(self._stopped(target))

    def _lift(self, target: L) -> None:
        """Recorded even for a pull never stopped here: it stops nothing if it comes late."""
        if (target is None or target.target_kind in self.hits) and not self.lifted:
            self._record(self._lifted(target))

    @abstractmethod
    def _stopped(self, target: S, /) -> DomainEvent:
        """The `stopped_by` event for this pull."""

    @abstractmethod
    def _lifted(self, target: L, /) -> DomainEvent:
        """The `lifted_by` event for this pull."""

    def _apply(self, event: DomainEvent) -> None:
        if isinstance(event, self.stopped_by):
            self.stopped = True
        elif isinstance(event, self.lifted_by):
            self.lifted = True


K = TypeVar("K", bound=Hashable)


@dataclass
class OpenStops(Generic[K]):
    """The pulls stopping one thing: stopped while any is open. Lifted pulls are remembered so
    that one delivered late stops nothing."""

    open: set[K] = field(default_factory=set)
    lifted: set[K] = field(default_factory=set)

    @property
    def stopped(self) -> bool:
        return bool(self.open)

    def knows(self, pull_id: K) -> bool:
        return pull_id in self.open or pull_id in self.lifted

    def is_last(self, pull_id: K) -> bool:
        """Whether lifting this pull lifts the stop."""
        return self.open == {pull_id}

    def stop(self, pull_id: K) -> None:
        if pull_id not in self.lifted:
            self.open.add(pull_id)

    def lift(self, pull_id: K) -> None:
        self.open.discard(pull_id)
        self.lifted.add(pull_id)
