"""A consumer process for the crash tests; it can SIGKILL itself right after its first DB commit.

    python -m tests.integration.crash_consumer --bus local --log PATH --database URL \\
        --schema NAME --topic TOPIC --group GROUP [--die-after-db-commit] [--expect N]

It consumes `ParcelWeighed` events into a `parcel_weight` table (one row per effect, no unique key,
so a second effect would show). Unless it dies, it stops once it has committed offsets past
`--expect` events and writes one JSON line to stdout: the event ids it fetched and how many of them
its inbox recognised as duplicates.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared import tables
from shared.bus import Broker, Record, Subscription
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.consumer import Consumer
from shared.db import Database, connect, create_tables
from shared.envelope import Envelope, MalformedEnvelopeError
from shared.settings import ConsumerSettings, KafkaSettings
from shared.testing.sample import WEIGHING, weighing_unit_of_work

effect_tables = MetaData()
parcel_weight = Table(
    "parcel_weight",
    effect_tables,
    Column("event_id", String(36), nullable=False),
    Column("grams", Integer, nullable=False),
)


class ObservedSubscription:
    """Passes through to the real subscription, noting what was fetched and committed."""

    def __init__(self, inner: Subscription, expect: int) -> None:
        self._inner = inner
        self._expect = expect
        self.fetched: list[str] = []
        self.committed = 0
        self.all_committed = asyncio.Event()

    async def start(self) -> None:
        await self._inner.start()

    async def fetch(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        records = await self._inner.fetch(max_records=max_records, timeout_ms=timeout_ms)
        self.fetched += [_event_id(record) for record in records]
        return records

    async def commit(self, records: Sequence[Record]) -> None:
        await self._inner.commit(records)
        self.committed += len(records)
        if self.committed >= self._expect:
            self.all_committed.set()

    async def lag(self) -> int:
        return await self._inner.lag()

    async def stop(self) -> None:
        await self._inner.stop()


def _broker(args: argparse.Namespace) -> Broker:
    if args.bus == "local":
        return LocalLogBroker(args.log)
    return KafkaBroker(
        KafkaSettings(
            bootstrap_servers=args.kafka,
            client_id="crash-consumer",
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
    )


async def _die_after_db_commit(_records: Sequence[Record]) -> None:
    # The effect and its inbox row are committed; the offset is not: the worst moment to die.
    os.kill(os.getpid(), signal.SIGKILL)


def _consumer(
    args: argparse.Namespace, broker: Broker, db: Database, subscription: Subscription
) -> Consumer:
    return Consumer(
        group=args.group,
        subscription=subscription,
        dead_letters=broker.publisher(),
        routes=WEIGHING,
        unit_of_work=weighing_unit_of_work(db),
        settings=ConsumerSettings(poll_timeout_ms=50),
        after_db_commit=_die_after_db_commit if args.die_after_db_commit else None,
    )


async def consume(args: argparse.Namespace) -> dict[str, Any]:
    db = await connect(args.database, schema=args.schema)
    await create_tables(db, tables.metadata)
    await create_tables(db, effect_tables)
    broker = _broker(args)
    await broker.start()
    subscription = ObservedSubscription(
        broker.subscription([args.topic], group=args.group), args.expect
    )
    running = asyncio.create_task(_consumer(args, broker, db, subscription).run())
    try:
        committed = asyncio.create_task(subscription.all_committed.wait())
        await asyncio.wait(
            {running, committed}, timeout=args.timeout, return_when="FIRST_COMPLETED"
        )
        committed.cancel()
        if running.done():
            running.result()  # the consumer crashed: let its error end this process
        if not subscription.all_committed.is_set():
            raise TimeoutError(f"committed {subscription.committed} of {args.expect} in time")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await broker.close()
        await db.close()
    duplicates = REGISTRY.get_sample_value(
        "gapless_events_consumed_total", {"group": args.group, "outcome": "duplicate"}
    )
    return {"fetched": subscription.fetched, "duplicates": int(duplicates or 0)}


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bus", choices=["local", "kafka"], required=True)
    parser.add_argument("--log", help="local log file (--bus local)")
    parser.add_argument("--kafka", help="bootstrap servers (--bus kafka)")
    parser.add_argument("--database", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--die-after-db-commit", action="store_true")
    parser.add_argument("--expect", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=20.0)
    return parser.parse_args(argv)


def _event_id(record: Record) -> str:
    try:
        return str(Envelope.from_json(record.value).event_id)
    except MalformedEnvelopeError:
        return "?"


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    report = asyncio.run(consume(parse(sys.argv[1:])))
    sys.stdout.write(json.dumps(report) + "\n")
