"""SIGKILL between the DB commit and the offset commit: the event comes again, the inbox absorbs it.

A consumer process is killed right after its first batch committed to the database and before it
committed the offset. A second process in the same group must fetch the event again, and the
database must still show exactly one effect and one inbox row.
"""

import asyncio
import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.bus import Broker
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.db import Database, PostgresDatabase, connect, create_tables
from shared.envelope import Envelope
from shared.testing.builders import a_group_name, a_message, a_topic_name, an_envelope
from shared.testing.database import count_rows
from tests.integration.crash_consumer import effect_tables

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
PROCESS_TIMEOUT = 25.0


@dataclass(frozen=True)
class Exited:
    returncode: int
    report: dict[str, Any] | None
    stderr: str


async def run_consumer(args: list[str]) -> Exited:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.crash_consumer",
        *args,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"consumer process still running after {PROCESS_TIMEOUT}s") from None
    report = json.loads(stdout) if stdout.strip() else None
    assert process.returncode is not None
    return Exited(process.returncode, report, stderr.decode(errors="replace")[-3000:])


async def effects(db: Database, envelope: Envelope) -> tuple[int, int]:
    """(rows in parcel_weight, rows in processed_message) for this event."""
    event_id = str(envelope.event_id)
    return (
        await count_rows(db, "parcel_weight", "WHERE event_id = $1", event_id),
        await count_rows(db, "processed_message", "WHERE message_id = $1", event_id),
    )


async def publish_one(broker: Broker, topic: str) -> Envelope:
    envelope = an_envelope(event_type="ParcelWeighed", data={"grams": 1250})
    await broker.publisher().publish([a_message(topic, envelope)])
    return envelope


async def crash_then_recover(
    args: list[str], db: Database, envelope: Envelope
) -> tuple[tuple[int, int], Exited]:
    """Run a consumer that dies after its DB commit, then one that survives; return the effects
    the dead one left behind and how the survivor exited."""
    killed = await run_consumer([*args, "--die-after-db-commit"])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left_behind = await effects(db, envelope)
    survivor = await run_consumer(args)
    assert survivor.returncode == 0, survivor.stderr
    return left_behind, survivor


async def test_on_the_local_log_a_consumer_killed_after_its_db_commit_has_one_effect(
    tmp_path: Path,
) -> None:
    topic, log = a_topic_name(), str(tmp_path / "events.db")
    database = f"sqlite:///{tmp_path / 'weights.db'}"
    broker = LocalLogBroker(log)
    await broker.start()
    envelope = await publish_one(broker, topic)
    await broker.close()
    args = ["--bus", "local", "--log", log, "--database", database, "--schema", "weights"]
    args += ["--topic", topic, "--group", a_group_name()]
    db = await connect(database, schema="weights")
    await create_tables(db, effect_tables)

    try:
        left_behind, survivor = await crash_then_recover(args, db, envelope)
        after_recovery = await effects(db, envelope)
    finally:
        await db.close()

    assert left_behind == (1, 1)
    assert survivor.report == {"fetched": [str(envelope.event_id)], "duplicates": 1}
    assert after_recovery == (1, 1)


async def test_on_kafka_and_postgresql_a_consumer_killed_after_its_db_commit_has_one_effect(
    kafka_broker: KafkaBroker,
    kafka_bootstrap_servers: str,
    postgres_db: PostgresDatabase,
    postgres_dsn: str,
) -> None:
    topic = a_topic_name()
    await kafka_broker.ensure_topics([topic])
    envelope = await publish_one(kafka_broker, topic)
    args = ["--bus", "kafka", "--kafka", kafka_bootstrap_servers, "--database", postgres_dsn]
    args += ["--schema", postgres_db.schema, "--topic", topic, "--group", a_group_name()]
    await create_tables(postgres_db, effect_tables)

    left_behind, survivor = await crash_then_recover(args, postgres_db, envelope)

    assert left_behind == (1, 1)
    assert survivor.report == {"fetched": [str(envelope.event_id)], "duplicates": 1}
    assert await effects(postgres_db, envelope) == (1, 1)
