"""Replay from the API: `POST /v1/replay` starts a job, `GET /v1/replay/{id}` follows it.

Two sources (a service's event store, or a topic) and two targets:
- `rebuild`: the service's read models folded again from its event store, in one transaction,
  so readers see the old model until the new one commits (never a half-built one); only
  projections run, so no external side effect (a pick request, a shipment) is ever repeated;
- `redeliver`: events in a range (offsets or times; optionally one order's, or some event types)
  handed again to a named consumer group run by this process, through its normal handlers: the
  inbox makes what the group handled before a no-op, and its offsets do not move. Only events
  recorded within the replay window (GAPLESS_RETENTION__REPLAY_WINDOW) are handed over: the
  inbox forgets older ones after the retention period, so they could take effect twice.
A dry run says what would happen and changes nothing. Jobs live in the process that runs them
(the last 100 are kept): ask the process that serves the service.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Self
from uuid import UUID, uuid4

from fastapi import APIRouter, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.auth import Ops
from shared.bus import Broker, Record
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.consumer import Consumer
from shared.envelope import Envelope
from shared.errors import InvalidRequestError, NotFoundError
from shared.eventstore import SqlEventStore
from shared.replay import rebuild_read_models, refuse_if_archived
from shared.runtime import ServiceRuntime

logger = logging.getLogger(__name__)
KEPT_JOBS = 100
MAX_RECORDS = 100_000
CHUNK = 200


class Position(BaseModel):
    """One end of a range: an offset (store position, local-log offset) or a time."""

    model_config = ConfigDict(extra="forbid")

    offset: int | None = Field(default=None, ge=0)
    time: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.offset is None) == (self.time is None):
            raise ValueError("give exactly one of `offset` and `time`")
        return self


class ReplayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: Literal["store", "topic"]
    service: str | None = Field(default=None, description="source store: whose event store")
    topic: str | None = Field(default=None, description="source topic, e.g. order.events")
    target: Literal["rebuild", "redeliver"]
    group: str | None = Field(default=None, description="redeliver: the consumer group")
    from_: Position | None = Field(default=None, alias="from")
    to: Position | None = None
    order_id: UUID | None = None
    event_types: list[str] | None = Field(default=None, max_length=50)
    dry_run: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.source == "store" and not self.service:
            raise ValueError("a `store` source names its `service`")
        if self.source == "topic" and not self.topic:
            raise ValueError("a `topic` source names its `topic`")
        if self.target == "redeliver" and not self.group:
            raise ValueError("`redeliver` names the consumer `group`")
        if self.target == "rebuild":
            if self.source != "store":
                raise ValueError("a rebuild folds the service's event store: use source `store`")
            if self.from_ or self.to or self.order_id or self.event_types:
                raise ValueError(
                    "a rebuild folds every event (a partial fold would be a wrong model);"
                    " ranges and filters are for `redeliver`"
                )
        return self


class ReplayPublic(BaseModel):
    replay_id: UUID
    status: Literal["running", "done", "failed"]
    request: dict[str, Any]
    progress: int = Field(description="events or records handled so far")
    result: dict[str, Any] | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass
class _Job:
    request: ReplayCreate
    replay_id: UUID = field(default_factory=uuid4)
    status: Literal["running", "done", "failed"] = "running"
    progress: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    task: asyncio.Task[None] | None = None

    def public(self) -> ReplayPublic:
        return ReplayPublic(
            replay_id=self.replay_id,
            status=self.status,
            request=self.request.model_dump(mode="json", by_alias=True, exclude_none=True),
            progress=self.progress,
            result=self.result,
            error=self.error,
            started_at=self.started_at,
            finished_at=self.finished_at,
        )


class Replays:
    """The replay jobs of one process, over the service runtimes it hosts."""

    def __init__(self, runtimes: Sequence[ServiceRuntime], broker: Broker) -> None:
        self._runtimes = {runtime.name: runtime for runtime in runtimes}
        self._broker = broker
        self._jobs: dict[UUID, _Job] = {}

    async def start(self, request: ReplayCreate) -> _Job:
        self._check(request)
        if request.target == "rebuild":
            runtime = self._runtimes[str(request.service)]
            async with runtime.db.transaction() as conn:
                await refuse_if_archived(conn, runtime.name)
        job = _Job(request)
        self._jobs[job.replay_id] = job
        while len(self._jobs) > KEPT_JOBS:
            del self._jobs[next(iter(self._jobs))]
        job.task = asyncio.create_task(self._run(job), name=f"replay:{job.replay_id}")
        return job

    def get(self, replay_id: UUID) -> _Job:
        job = self._jobs.get(replay_id)
        if job is None:
            raise NotFoundError(f"replay {replay_id} not found in this process")
        return job

    def recent(self) -> list[_Job]:
        return list(reversed(self._jobs.values()))

    def _check(self, request: ReplayCreate) -> None:
        if request.source == "store" and request.service not in self._runtimes:
            raise _unknown("service", request.service, sorted(self._runtimes))
        if request.target == "rebuild":
            runtime = self._runtimes[str(request.service)]
            if runtime.definition.read_models is None:
                raise InvalidRequestError(f"{request.service} keeps no read models")
        if request.target == "redeliver":
            if not self._consumers(str(request.group)):
                raise _unknown("group", request.group, sorted(self._groups()))
            start = self._window_start(str(request.group))
            since = request.from_.time if request.from_ else None
            if since is not None and since < start:
                raise InvalidRequestError(
                    "`from` is older than the replay window: the group's inbox may have"
                    " forgotten what it handled then, so those events could take effect twice",
                    errors=[
                        {
                            "field": "from.time",
                            "message": f"at or after {start.isoformat()} (the replay window,"
                            " GAPLESS_RETENTION__REPLAY_WINDOW)",
                        }
                    ],
                )

    def _window_start(self, group: str) -> datetime:
        runtime = self._runtimes[group]
        return runtime.clock.now() - runtime.settings.retention.replay_window

    def _groups(self) -> set[str]:
        return {runtime.name for runtime in self._runtimes.values() if runtime.consumers}

    def _consumers(self, group: str) -> list[Consumer]:
        runtime = self._runtimes.get(group)
        return list(runtime.consumers) if runtime is not None else []

    async def _run(self, job: _Job) -> None:
        try:
            if job.request.target == "rebuild":
                job.result = await self._rebuild(job)
            else:
                job.result = await self._redeliver(job)
            job.status = "done"
        except Exception as error:
            logger.exception("replay %s failed", job.replay_id)
            job.status, job.error = "failed", f"{type(error).__name__}: {error}"
        finally:
            job.finished_at = datetime.now(UTC)

    async def _rebuild(self, job: _Job) -> dict[str, Any]:
        runtime = self._runtimes[str(job.request.service)]

        def advanced(count: int) -> None:
            job.progress += count

        report = await rebuild_read_models(
            runtime.db,
            runtime.definition,
            check_only=job.request.dry_run,
            progress=advanced,
        )
        return {
            "events": report.events,
            "hash_before": report.hash_before,
            "hash_after": report.hash_after,
            "identical": report.identical,
            "committed": report.committed,
            "side_effects": "none: a rebuild runs projections only",
        }

    async def _redeliver(self, job: _Job) -> dict[str, Any]:
        request = job.request
        read = await self._records(request)
        wanted = [r for r in read if _wanted(r, request)]
        window_start = self._window_start(str(request.group))
        records = [r for r in wanted if _recorded_since(r, window_start)]
        types = Counter(_event_type(r) for r in records)
        summary: dict[str, Any] = {
            "group": request.group,
            "records": len(records),
            "event_types": dict(sorted(types.items())),
            # Recorded before the replay window (or undatable): never handed over.
            "outside_window": len(wanted) - len(records),
            # One job hands over at most MAX_RECORDS: narrow the range and run another for more.
            "truncated": len(read) >= MAX_RECORDS,
        }
        if request.dry_run:
            summary["would"] = (
                f"hand {len(records)} records to {request.group}'s handlers; events it handled"
                " before are no-ops (inbox), its offsets stay where they are"
            )
            return summary
        consumers = self._consumers(str(request.group))
        dead = 0
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            for consumer in consumers:
                mine = [r for r in chunk if consumer.handles(_event_type(r))]
                if mine:
                    dead += await consumer.redeliver(mine)
            job.progress += len(chunk)
        summary["dead_lettered"] = dead
        return summary

    async def _records(self, request: ReplayCreate) -> list[Record]:
        start, end = request.from_, request.to
        if request.source == "store":
            return await self._store_records(str(request.service), start, end)
        since, until = (start.time if start else None), (end.time if end else None)
        if isinstance(self._broker, LocalLogBroker):
            return await self._broker.read(
                str(request.topic),
                since=since,
                until=until,
                after_offset=start.offset - 1 if start and start.offset else None,
                to_offset=end.offset if end else None,
                limit=MAX_RECORDS,
            )
        if isinstance(self._broker, KafkaBroker):
            if (start and start.offset is not None) or (end and end.offset is not None):
                raise InvalidRequestError(
                    "on Kafka a topic range is given in time (offsets are per partition)"
                )
            return await self._broker.read(
                str(request.topic), since=since, until=until, limit=MAX_RECORDS
            )
        raise InvalidRequestError("this bus cannot read a topic back")

    async def _store_records(
        self, service: str, start: Position | None, end: Position | None
    ) -> list[Record]:
        runtime = self._runtimes[service]
        store = SqlEventStore()
        after = max(0, start.offset - 1) if start and start.offset is not None else 0
        records: list[Record] = []
        async with runtime.db.transaction() as conn:
            while len(records) < MAX_RECORDS:
                batch = await store.read_all(conn, after=after, limit=1_000)
                if not batch:
                    break
                for stored in batch:
                    envelope = stored.envelope
                    if end and end.offset is not None and stored.position > end.offset:
                        return records
                    if end and end.time is not None and envelope.occurred_at >= end.time:
                        return records
                    if start and start.time is not None and envelope.occurred_at < start.time:
                        continue
                    records.append(_as_record(runtime.definition.topic, stored.position, envelope))
                after = batch[-1].position
        return records


def _as_record(topic: str, position: int, envelope: Envelope) -> Record:
    return Record(topic, 0, position, envelope.aggregate_id.encode(), envelope.to_json())


def _event_type(record: Record) -> str:
    try:
        return Envelope.from_json(record.value).event_type
    except Exception:
        return "(undecodable)"


def _recorded_since(record: Record, start: datetime) -> bool:
    try:
        return Envelope.from_json(record.value).occurred_at >= start
    except Exception:
        return False


def _wanted(record: Record, request: ReplayCreate) -> bool:
    if request.order_id is None and not request.event_types:
        return True
    try:
        envelope = Envelope.from_json(record.value)
    except Exception:
        return False
    if request.event_types and envelope.event_type not in request.event_types:
        return False
    if request.order_id is not None:
        order = str(request.order_id)
        return envelope.correlation_id == request.order_id or (
            str(envelope.data.get("order_id", "")) == order
        )
    return True


def _unknown(what: str, value: object, known: list[str]) -> InvalidRequestError:
    return InvalidRequestError(
        f"no {what} {value!r} in this process",
        errors=[{"field": what, "message": f"one of: {', '.join(known) or 'none'}"}],
    )


def replay_router(replays: Replays) -> APIRouter:
    router = APIRouter(prefix="/v1/replay", tags=["replay"])

    @router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ReplayPublic)
    async def start(body: ReplayCreate, response: Response, _: Ops) -> ReplayPublic:
        """Start a replay (rebuild or re-delivery, or a dry run of one); follow it by its id."""
        job = await replays.start(body)
        response.headers["Location"] = f"/v1/replay/{job.replay_id}"
        return job.public()

    @router.get("/{replay_id}", response_model=ReplayPublic)
    async def one(replay_id: UUID, _: Ops) -> ReplayPublic:
        """A replay's progress, and its result once done."""
        return replays.get(replay_id).public()

    @router.get("", response_model=list[ReplayPublic])
    async def recent(_: Ops) -> list[ReplayPublic]:
        """The replays this process ran, newest first."""
        return [job.public() for job in replays.recent()]

    return router
