"""Consumer runtime: read a batch, apply it in ONE transaction with the inbox, then commit offsets.

For each fetched batch:
1. decode every record (CloudEvents envelope, then the handler's own model of `data`); a record
   that cannot be decoded is poison and goes to the dead-letter topic at once, never retried;
2. apply the rest in one database transaction: the inbox claims of the whole batch in one
   statement, the aggregates its routes name loaded up front, then each handler in turn;
3. if a handler fails, roll the batch back and replay it one event per transaction with bounded
   retries, so only the failing event is dead-lettered and the others still take effect;
4. publish dead letters (durably), then commit offsets past the whole batch.

A crash anywhere before step 4 means redelivery; the inbox turns repeats into no-ops. Infrastructure
errors (database or broker unreachable, write conflicts) are retried without limit: they say
nothing about the event, so dead-lettering it would lose a good hand-off.
"""

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka.errors import KafkaConnectionError
from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_never,
    wait_exponential_jitter,
)

from shared import context
from shared.aggregate import Aggregate
from shared.bus import Publisher, Record, Subscription
from shared.db import is_busy
from shared.deadletter import dead_letter, is_dlq_topic
from shared.envelope import TYPE_HEADER, Envelope, MalformedEnvelopeError
from shared.errors import ConcurrencyError
from shared.settings import ConsumerSettings
from shared.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)
HAND_OFFS = logging.getLogger("gapless.handoff")

CONSUMED = Counter(
    "gapless_events_consumed_total", "Consumed messages by outcome", ["group", "outcome"]
)
DEAD_LETTERED = Counter("gapless_dead_lettered_total", "Messages sent to a DLQ", ["group"])
LAG = Gauge("gapless_consumer_lag", "Messages behind the end of the subscribed topics", ["group"])

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConcurrencyError,
    ConnectionError,
    TimeoutError,
    KafkaConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.CannotConnectNowError,
)


def is_transient(error: BaseException) -> bool:
    """Failures of the infrastructure, which say nothing about the event being handled."""
    if isinstance(error, sqlite3.OperationalError):
        # "database is locked/busy" passes; "no such table" or a syntax error is a bug.
        return is_busy(error)
    return isinstance(error, TRANSIENT_ERRORS)


Handler = Callable[[Any, Envelope, UnitOfWork], Awaitable[None]]
Decoder = Callable[[Record], Envelope]
AfterCommit = Callable[[Sequence[Record]], Awaitable[None]]


Preload = Callable[[Any], Iterable[tuple[type[Aggregate], str]]]


def preload_by(cls: type[Aggregate], field: str) -> Preload:
    """A `Route.preload` for a handler that loads the `cls` whose id is the event's `field`."""
    return lambda event: [(cls, str(getattr(event, field)))]


@dataclass(frozen=True)
class Route:
    """How one event type is read (tolerant-reader model of its data) and handled.

    `preload` names the aggregates the handler will load for an event: the consumer loads those
    of a whole batch up front, one query per aggregate type instead of one per event.
    """

    model: type[BaseModel]
    handle: Handler
    preload: Preload | None = None


@dataclass(frozen=True)
class _Work:
    record: Record
    envelope: Envelope
    event: BaseModel
    route: Route


@dataclass(frozen=True)
class _Dead:
    record: Record
    reason: str
    error: str
    envelope: Envelope | None = None


class Consumer:
    def __init__(
        self,
        *,
        group: str,
        subscription: Subscription,
        dead_letters: Publisher,
        routes: Mapping[str, Route],
        unit_of_work: Callable[[], UnitOfWork],
        settings: ConsumerSettings,
        decode: Decoder | None = None,
        after_db_commit: AfterCommit | None = None,
    ) -> None:
        self.group = group
        self._subscription = subscription
        self._dead_letters = dead_letters
        self._routes = routes
        self._unit_of_work = unit_of_work
        self._settings = settings
        self._decode: Decoder = decode or (lambda record: Envelope.from_json(record.value))
        # A decoder of its own (dead letters) reads the type elsewhere than in the header.
        self._type_in_header = decode is None
        self._after_db_commit = after_db_commit
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Consume until cancelled."""
        await self._subscription.start()
        self.ready.set()
        try:
            while True:
                records = await self._subscription.fetch(
                    max_records=self._settings.batch_size,
                    timeout_ms=self._settings.poll_timeout_ms,
                )
                if records:
                    await self.process(records)
        finally:
            self.ready.clear()
            await self._subscription.stop()

    async def lag(self) -> int:
        """Records past what this member committed (the runtime samples it on a timer, so the
        figure stays true while the consume loop is idle or stuck in a batch)."""
        return await self._subscription.lag()

    def handles(self, event_type: str) -> bool:
        return event_type in self._routes

    async def redeliver(self, records: Sequence[Record]) -> int:
        """Hand `records` read again from a topic to this group's handlers, as delivery would
        (the inbox turns what the group handled before into no-ops), without moving its
        offsets; the number dead-lettered."""
        work, dead = self._decode_all(records)
        if work:
            dead += await self._apply_all(work)
        if dead:
            await _forever(self._publish_dead, dead)
        return len(dead)

    async def process(self, records: Sequence[Record]) -> None:
        work, dead = self._decode_all(records)
        lanes = independent_lanes(work, self._settings.lanes)
        for applied in await asyncio.gather(*(self._apply_all(lane) for lane in lanes)):
            dead += applied
        if dead:
            await _forever(self._publish_dead, dead)
        if self._after_db_commit is not None:
            await self._after_db_commit(records)
        await _forever(self._subscription.commit, records)

    def _decode_all(self, records: Sequence[Record]) -> tuple[list[_Work], list[_Dead]]:
        work: list[_Work] = []
        dead: list[_Dead] = []
        for record in records:
            if not self._may_route(record):
                CONSUMED.labels(self.group, "ignored").inc()
                continue
            try:
                envelope = self._decode(record)
            except MalformedEnvelopeError as error:
                dead.append(_Dead(record, f"malformed envelope: {error}", "MalformedEnvelopeError"))
                continue
            route = self._routes.get(envelope.event_type)
            if route is None:
                CONSUMED.labels(self.group, "ignored").inc()
                continue  # tolerant reader: events we do not react to are not errors
            try:
                event = route.model.model_validate(envelope.data)
            except ValidationError as error:
                reason = f"{envelope.event_type} fails its schema: {_summary(error)}"
                dead.append(_Dead(record, reason, "SchemaValidationError", envelope))
                continue
            work.append(_Work(record, envelope, event, route))
        return work, dead

    def _may_route(self, record: Record) -> bool:
        """False for a record whose type header names an event no route takes: skipped
        unread, as most of what a topic carries is someone else's business. Without the
        header (an older producer) the envelope decides."""
        # Release 0.1's producers sent the type as ce_type.
        header = record.header(TYPE_HEADER) or record.header("ce_type")
        event_type = header if self._type_in_header else None
        return event_type is None or event_type.rsplit(".", 1)[-1] in self._routes

    async def _apply_all(self, work: list[_Work]) -> list[_Dead]:
        try:
            await _forever(self._apply_batch, work)
            return []
        except Exception:
            logger.warning("batch failed; replaying it one event at a time", exc_info=True)
        dead = []
        for item in work:
            try:
                await self._apply_with_retries(item)
            except Exception as error:
                logger.exception("dead-lettering %s", item.envelope.event_type)
                reason = f"handler failed: {error!r}"
                dead.append(_Dead(item.record, reason, type(error).__name__, item.envelope))
        return dead

    async def _apply_batch(self, work: Sequence[_Work]) -> None:
        async with self._unit_of_work() as uow:
            fresh = await uow.claim_all(
                consumer=self.group, message_ids=[str(item.envelope.event_id) for item in work]
            )
            todo = []
            for item in work:
                event_id = str(item.envelope.event_id)
                if event_id in fresh:
                    fresh.discard(event_id)  # a second copy in this very batch is a repeat too
                    todo.append(item)
                else:
                    CONSUMED.labels(self.group, "duplicate").inc()
            await _preload(uow, todo)
            for item in todo:
                await self._apply(uow, item)
            await uow.commit()
        for item in todo:  # committed, and each for the first time: one line per hand-off
            _log_hand_off(self.group, item.envelope)

    async def _apply_with_retries(self, item: _Work) -> None:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self._settings.handler_attempts),
            wait=wait_exponential_jitter(
                multiplier=self._settings.retry_initial_seconds,
                jitter=self._settings.retry_initial_seconds,
                max=self._settings.retry_max_seconds,
            ),
            reraise=True,
        ):
            with attempt:
                await _forever(self._apply_batch, [item])

    async def _apply(self, uow: UnitOfWork, item: _Work) -> None:
        envelope = item.envelope
        with context.flow(envelope.correlation_id, envelope.event_id):
            await item.route.handle(item.event, envelope, uow)
            await uow.flush()
        CONSUMED.labels(self.group, "processed").inc()

    async def _publish_dead(self, dead: Sequence[_Dead]) -> None:
        # A record read from a dead-letter topic stays there: dead-lettering it again would
        # feed a consumer that watches its own DLQ the same failure for ever.
        await self._dead_letters.publish(
            [
                dead_letter(d.record, group=self.group, reason=d.reason, error=d.error)
                for d in dead
                if not is_dlq_topic(d.record.topic)
            ]
        )
        for d in dead:
            envelope = d.envelope
            with context.flow(envelope.correlation_id if envelope else None):
                logger.error(
                    "left in its dead-letter topic"
                    if is_dlq_topic(d.record.topic)
                    else "dead-lettered",
                    extra={
                        "consumer": self.group,
                        "reason": d.reason,
                        "error": d.error,
                        "event": envelope.event_type if envelope else None,
                        "origin": f"{d.record.topic}/{d.record.partition}/{d.record.offset}",
                    },
                )
        DEAD_LETTERED.labels(self.group).inc(len(dead))
        CONSUMED.labels(self.group, "dead_lettered").inc(len(dead))


def independent_lanes(work: Sequence[_Work], lanes: int) -> list[list[_Work]]:
    """Split a batch into at most `lanes` parts that can be applied at the same time.

    Events with the same record key (per-key order) or naming the same aggregate in their
    route's `preload` stay in one part, in their order; so two parts never race for a stream
    they declared. An undeclared one is still safe: the loser of the race retries (optimistic
    concurrency), it only costs time.
    """
    if lanes == 1 or len(work) < 2:
        return [list(work)] if work else []
    parent = list(range(len(work)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first_with: dict[object, int] = {}
    for index, item in enumerate(work):
        shared_by: list[object] = [("key", item.record.topic, item.record.key)]
        if item.route.preload is not None:
            shared_by += [(cls, id_) for cls, id_ in item.route.preload(item.event)]
        for token in shared_by:
            other = first_with.setdefault(token, index)
            parent[root(index)] = root(other)
    groups: dict[int, list[_Work]] = {}
    for index, item in enumerate(work):
        groups.setdefault(root(index), []).append(item)
    # Biggest groups first, each to the lightest lane; groups keep their own order.
    parts: list[list[_Work]] = [[] for _ in range(min(lanes, len(groups)))]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(parts, key=len).extend(group)
    return parts


def _log_hand_off(group: str, envelope: Envelope) -> None:
    """One line per hand-off taken over by `group`, in the flow of the order it is about."""
    latency = (datetime.now(UTC) - envelope.occurred_at).total_seconds()
    with context.flow(envelope.correlation_id, envelope.causation_id):
        HAND_OFFS.info(
            "hand-off",
            extra={
                "event": envelope.event_type,
                "event_id": str(envelope.event_id),
                "order_id": envelope.data.get("order_id", envelope.aggregate_id),
                "from_service": envelope.source,
                "consumer": group,
                "latency_seconds": round(max(0.0, latency), 6),
            },
        )


async def _preload(uow: UnitOfWork, work: Sequence[_Work]) -> None:
    wanted: dict[type[Aggregate], list[str]] = {}
    for item in work:
        if item.route.preload is not None:
            for cls, aggregate_id in item.route.preload(item.event):
                wanted.setdefault(cls, []).append(aggregate_id)
    for cls, aggregate_ids in wanted.items():
        await uow.get_all(cls, aggregate_ids)


async def _forever(call: Callable[..., Awaitable[None]], *args: Any) -> None:
    """Retry infrastructure failures without limit; anything else propagates at once."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential_jitter(multiplier=0.02, jitter=0.02, max=5.0),
        stop=stop_never,
        reraise=True,
        before_sleep=lambda state: logger.warning(
            "transient failure, retrying: %r", state.outcome.exception() if state.outcome else None
        ),
    ):
        with attempt:
            await call(*args)


def _summary(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()
    )
