"""Event-time propagation: the services' reactions on the bus, timed against `AndonPulled`.

Every envelope carries `occurred_at`, taken from the system clock of the process that wrote it
when the event was appended (inside its transaction, just before the commit). All processes run
on this machine, so reaction time minus `AndonPulled` time is the propagation without any HTTP
polling: the andon's commit, the relay, the bus and the consumer up to the handler's flush.
What it leaves out is the reacting service's own commit (a few ms).

Where the time goes, from the services' own bookkeeping (read-only, before the stack stops):
`outbox_message.published_at` of AndonPulled in the andon database (the relay's clock once the
bus accepted it) and `processed_message.processed_at` of the pull in each reacting service (the
consumer's clock when its batch claimed the pull).
"""

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.andon_scenario import SERVICES, Sample
from shared.db import connect
from shared.envelope import Envelope, parse_time
from tests.e2e.stack import Stack, broker_for

TOPICS = ("andon.events", "inventory.events", "order.events", "fulfillment.events")


async def read_events(stack: Stack, *, pull_ids: set[str], within: float) -> list[Envelope]:
    """Read TOPICS from the start as a fresh group until every pull and its reactions are in.

    Stops at `within` seconds with whatever was read; commits nothing.
    """
    broker = broker_for(stack)
    await broker.start()
    subscription = broker.subscription(list(TOPICS), group=f"bench-andon-{uuid4().hex[:8]}")
    await subscription.start()
    read: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            records = await subscription.fetch(max_records=1000, timeout_ms=300)
            for record in records:
                try:
                    read.append(Envelope.from_cloudevent(json.loads(record.value)))
                except ValueError:
                    continue
            if not records and _complete(read, pull_ids):
                break
    finally:
        await subscription.stop()
        await broker.close()
    return read


def _complete(read: Sequence[Envelope], pull_ids: set[str]) -> bool:
    """Every pull's `AndonPulled` is in; with an empty fetch after it, so are the reactions
    (they were written before the reading started)."""
    return pull_ids <= {str(e.data.get("pull_id")) for e in read if e.event_type == "AndonPulled"}


async def bookkeeping(stack: Stack, namespace: str, event_ids: Sequence[str]) -> dict[str, Any]:
    """{"published": {event id: time}, "delivered": {service: {event id: time}}} of the pulls."""
    data_dir = Path(stack.env.get("GAPLESS_DATA_DIR", stack.folder))
    postgres = stack.env.get("GAPLESS_DATABASE_URL", "")

    async def fetch(service: str, sql: str) -> dict[str, datetime]:
        url = postgres or f"sqlite:///{data_dir / f'{service}.db'}"
        db = await connect(url, schema=f"{namespace}_{service}" if namespace else service)
        try:
            async with db.transaction() as conn:
                rows = await conn.fetch(sql)
        finally:
            await db.close()
        wanted = set(event_ids)
        return {row[0]: parse_time(row[1]) for row in rows if row[0] in wanted}

    published = await fetch(
        "andon",
        "SELECT event_id, published_at FROM outbox_message"
        " WHERE event_type = 'AndonPulled' AND published_at IS NOT NULL",
    )
    delivered = {
        service: await fetch(service, "SELECT message_id, processed_at FROM processed_message")
        for service in SERVICES
    }
    return {"published": published, "delivered": delivered}


def reaction_times(
    samples: Sequence[Sample], read: Sequence[Envelope], books: dict[str, Any]
) -> dict[str, Any]:
    """Per sample: seconds from `AndonPulled` to each service's reaction event, and to the 201.

    inventory: `StockSaleStopped` of the pull; order: `OrderHeld` (`andon`) of order B;
    fulfillment: `ShipmentHeld` of the pull (A's shipment). Matched on their data, and on
    `causation_id` = the `AndonPulled` event id when the data does not name the pull.
    """
    pulled: dict[str, Envelope] = {}
    reactions: dict[tuple[str, str], list[Envelope]] = {}
    for envelope in read:
        data = envelope.data
        match envelope.event_type:
            case "AndonPulled":
                pulled.setdefault(str(data.get("pull_id")), envelope)
            case "StockSaleStopped":
                reactions.setdefault(("inventory", str(data.get("pull_id"))), []).append(envelope)
            case "ShipmentHeld":
                reactions.setdefault(("fulfillment", str(data.get("pull_id"))), []).append(envelope)
            case "OrderHeld" if data.get("hold") == "andon":
                reactions.setdefault(("order", str(data.get("order_id"))), []).append(envelope)
    times: dict[str, dict[str, float]] = {}
    accepted: dict[str, float] = {}
    stages: dict[str, dict[str, float]] = {}
    causation_matches = 0
    for sample in samples:
        if sample.pull_id is None or (origin := pulled.get(sample.pull_id)) is None:
            continue
        keys = {
            "inventory": ("inventory", sample.pull_id),
            "order": ("order", sample.held_order),
            "fulfillment": ("fulfillment", sample.pull_id),
        }
        found: dict[str, float] = {}
        for service, key in keys.items():
            candidates = reactions.get(key, [])
            if not candidates:
                continue
            first = min(candidates, key=lambda e: e.occurred_at)
            causation_matches += first.causation_id == origin.event_id
            found[service] = _seconds(origin.occurred_at, first.occurred_at)
        times[sample.pull_id] = found
        if sample.accepted_wall is not None:
            accepted[sample.pull_id] = _seconds(origin.occurred_at, sample.accepted_wall)
        stages[sample.pull_id] = _stages(sample, origin, found, books)
    return {
        "events_read": len(read),
        "pulls_found": len(times),
        "caused_by_the_pull": causation_matches,
        "reaction_s": times,
        "pulled_to_201_s": accepted,
        "stages_s": stages,
    }


def _stages(
    sample: Sample, origin: Envelope, reaction_s: dict[str, float], books: dict[str, Any]
) -> dict[str, float]:
    """One pull's path in pieces (seconds): andon commit + relay, then per service the bus
    hop to its consumer, its handler up to the reaction event, and from there to the GET."""
    event_id = str(origin.event_id)
    stages: dict[str, float] = {}
    published = books["published"].get(event_id)
    if published is not None:
        stages["andon: AndonPulled -> relay published it"] = _seconds(origin.occurred_at, published)
    for service, reacted in reaction_s.items():
        delivered = books["delivered"].get(service, {}).get(event_id)
        if published is not None and delivered is not None:
            stages[f"{service}: published -> batch transaction began"] = _seconds(
                published, delivered
            )
            stages[f"{service}: batch began -> reaction event"] = reacted - _seconds(
                origin.occurred_at, delivered
            )
        elif published is not None:
            stages[f"{service}: published -> reaction event"] = reacted - _seconds(
                origin.occurred_at, published
            )
        if sample.accepted_wall is not None and service in sample.seen_s:
            since_pulled = _seconds(origin.occurred_at, sample.accepted_wall)
            stages[f"{service}: reaction event -> GET showed it"] = (
                since_pulled + sample.seen_s[service] - reacted
            )
    return stages


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()
