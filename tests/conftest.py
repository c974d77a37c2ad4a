"""Fixtures for all suites; servers are found through POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS.

Without a server a test that needs it skips on a developer machine and FAILS in CI (env CI set),
so CI can never go green by silently not running the integration suite.
"""

import os
import signal
import socket
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from types import FrameType
from typing import NoReturn
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from shared import tables
from shared.bus.kafka import KafkaBroker
from shared.db import PostgresDatabase, SqliteDatabase, connect, create_tables
from shared.settings import KafkaSettings

HOW_TO_START = 'start it with: eval "$(deploy/infra.sh up)" (make test does this)'
# Every integration test is bounded; a hung broker call must fail the test, not stall CI.
INTEGRATION_TEST_SECONDS = 60
# Enough connections for the concurrency tests (20 writers, a relay and a second replica).
POSTGRES_POOL_SIZE = 24


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(message: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{message} -- CI must run every integration test, so this is a failure")
    pytest.skip(message)


def _required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        _unavailable(f"{name} is not set: {HOW_TO_START}")
    return value


def _wait_until_listening(name: str, host: str, port: int) -> None:
    """A set variable promises a server; give a just-started one a little time, then insist."""
    try:
        for attempt in Retrying(
            retry=retry_if_exception_type(OSError),
            stop=stop_after_delay(30),
            wait=wait_fixed(0.5),
            reraise=True,
        ):
            with attempt:
                socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        _unavailable(
            f"{name} points at {host}:{port}, which does not answer ({error}): {HOW_TO_START}"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on PostgreSQL run one after another even when the suite runs in parallel
    (`-n 2 --dist loadgroup`): a change feed's horizon is the oldest transaction running in the
    whole server, so another test's open transaction would hold back what a feed shows."""
    for item in items:
        if _on_postgres(item):
            item.add_marker(pytest.mark.xdist_group("postgresql"))


def _on_postgres(item: pytest.Item) -> bool:
    """It asks for the server, or a fixture of its is parametrized onto it (and asks for the
    server by `request.getfixturevalue`, which collection cannot see)."""
    if "postgres_dsn" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return any(value in ("postgres", "postgresql") for value in params)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    if item.get_closest_marker("integration") is None or not hasattr(signal, "SIGALRM"):
        return (yield)

    def overran(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"{item.nodeid} ran longer than {INTEGRATION_TEST_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, overran)
    signal.alarm(INTEGRATION_TEST_SECONDS)
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    dsn = _required_env("POSTGRES_DSN")
    address = urlsplit(dsn)
    _wait_until_listening("POSTGRES_DSN", address.hostname or "127.0.0.1", address.port or 5432)
    return dsn


@pytest.fixture(scope="session")
def kafka_bootstrap_servers() -> str:
    servers = _required_env("KAFKA_BOOTSTRAP_SERVERS")
    host, _, port = servers.split(",")[0].strip().rpartition(":")
    _wait_until_listening("KAFKA_BOOTSTRAP_SERVERS", host or "127.0.0.1", int(port))
    return servers


@pytest.fixture
async def postgres_db(postgres_dsn: str) -> AsyncIterator[PostgresDatabase]:
    """A PostgreSQL schema of its own for this test, with the platform tables; dropped after."""
    schema = f"t_{uuid4().hex[:10]}"
    db = await connect(postgres_dsn, schema=schema, pool_size=POSTGRES_POOL_SIZE)
    assert isinstance(db, PostgresDatabase)
    try:
        await create_tables(db, tables.metadata)
        yield db
    finally:
        async with db.transaction() as conn:
            # A connection a failed test left inside a transaction must not hang the teardown.
            await conn.execute("SET LOCAL lock_timeout = '10s'")
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await db.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    """A SQLite file of its own for this test, with the platform tables."""
    db = await connect(f"sqlite:///{tmp_path / 'service.db'}", schema="test")
    assert isinstance(db, SqliteDatabase)
    try:
        await create_tables(db, tables.metadata)
        yield db
    finally:
        await db.close()


@pytest.fixture
def kafka_settings(kafka_bootstrap_servers: str) -> KafkaSettings:
    # A short session timeout lets a killed member's partitions move on within seconds.
    return KafkaSettings(
        bootstrap_servers=kafka_bootstrap_servers,
        client_id=f"test-{uuid4().hex[:6]}",
        partitions=3,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )


@pytest.fixture
async def kafka_broker(kafka_settings: KafkaSettings) -> AsyncIterator[KafkaBroker]:
    broker = KafkaBroker(kafka_settings)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.close()
