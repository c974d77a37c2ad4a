"""Correlation and causation ids carried through a flow by contextvars, never passed by hand."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

correlation_id: ContextVar[UUID | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[UUID | None] = ContextVar("causation_id", default=None)


@contextmanager
def flow(correlation: UUID | None, causation: UUID | None = None) -> Iterator[None]:
    """Run a block as part of one business flow (an order) caused by one message."""
    correlation_token = correlation_id.set(correlation)
    causation_token = causation_id.set(causation)
    try:
        yield
    finally:
        correlation_id.reset(correlation_token)
        causation_id.reset(causation_token)
