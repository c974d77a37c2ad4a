"""Schema migrations on SQLite and PostgreSQL: a fresh install, an upgrade of what release 0.1
wrote (tests/fixtures/release-0.1, made by tests/fixtures/make_release_fixture.py), and the
migration step that scale-out runs before its services start."""

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData

from migrations import runner
from services.andon.domain import DefectWatch
from services.roster import ALL_SERVICES
from shared import fastjson, tables
from shared.bus.memory import MemoryBroker
from shared.db import connect
from shared.envelope import Envelope, parse_time
from shared.replay import rebuild_read_models
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.builders import an_envelope
from tests.e2e.clients import Api, eventually
from tests.e2e.stack import embedded_stack

pytestmark = pytest.mark.integration

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1"
RELEASE_NAMESPACE = "rel"
SERVICES = [d.name for d in ALL_SERVICES]


@dataclass(frozen=True)
class Target:
    """Where each service's database is: `url` with its schema from `settings`."""

    dialect: str
    settings: ServiceSettings

    def url(self, service: str) -> str:
        return self.settings.database_url_for(service)

    def schema(self, service: str) -> str:
        return self.settings.schema_for(service)


@pytest.fixture(params=["sqlite", "postgresql"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Target]:
    """Empty databases of every service on one dialect (PostgreSQL: schemas of a namespace)."""
    if request.param == "sqlite":
        yield Target("sqlite", ServiceSettings(data_dir=tmp_path / "data", database_url=""))
        return
    dsn = request.getfixturevalue("postgres_dsn")
    namespace = f"m{uuid4().hex[:10]}"
    settings = ServiceSettings(data_dir=tmp_path / "data", database_url=dsn, namespace=namespace)
    try:
        yield Target("postgresql", settings)
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            for service in SERVICES:
                await conn.execute(
                    f'DROP SCHEMA IF EXISTS "{settings.schema_for(service)}" CASCADE'
                )
        finally:
            await conn.close()


def _code_metadata(definition: ServiceDefinition) -> MetaData:
    """Every table the service's code defines, as one MetaData."""
    combined = MetaData(naming_convention=tables.NAMING_CONVENTION)
    for owned in (tables.metadata, *definition.owned_tables()):
        for table in owned.sorted_tables:
            table.to_metadata(combined)
    return combined


async def _drift(target: Target) -> dict[str, list[object]]:
    """What Alembic finds different between the migrated database and the code's tables."""

    def compare(definition: ServiceDefinition, conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, _code_metadata(definition)))

    # The runner's API is synchronous (it runs its own event loop for asyncpg): a thread here.
    return {
        d.name: await asyncio.to_thread(
            runner.on_connection, target.url(d.name), target.schema(d.name), partial(compare, d)
        )
        for d in ALL_SERVICES
    }


async def _upgrade_all(target: Target) -> dict[str, str | None]:
    return {
        s: await asyncio.to_thread(
            runner.upgrade, target.url(s), schema=target.schema(s), service=s
        )
        for s in SERVICES
    }


async def test_a_fresh_install_reaches_every_services_head_and_matches_the_code(
    target: Target,
) -> None:
    revisions = await _upgrade_all(target)

    assert revisions == {s: runner.head(s) for s in SERVICES}
    assert await _drift(target) == {s: [] for s in SERVICES}
    # Running the step twice (a retried Job, two replicas starting) changes nothing.
    assert await _upgrade_all(target) == revisions


async def test_every_history_steps_back_to_the_cloudevents_form_and_up_again_to_the_same_schema(
    target: Target,
) -> None:
    # Every downgrade back to the oldest revision that can be left (before it, release 0.1
    # could not read the outbox), then every upgrade again: nothing left over, nothing missing.
    await _upgrade_all(target)
    for service in SERVICES:
        await asyncio.to_thread(_downgrade, target, service, f"{service}_0002")

    assert await _upgrade_all(target) == {s: runner.head(s) for s in SERVICES}
    assert await _drift(target) == {s: [] for s in SERVICES}


async def test_a_service_in_verify_mode_refuses_a_schema_the_migration_step_has_not_reached(
    target: Target,
) -> None:
    settings = target.settings.model_copy(update={"migrations": "verify"})
    order = next(d for d in ALL_SERVICES if d.name == "order")

    with pytest.raises(runner.MigrationError, match=r"run the migration step first"):
        await ServiceRuntime(order, settings, MemoryBroker()).open()

    await runner.apply_at_start(target.url("order"), schema=target.schema("order"), service="order")
    runtime = ServiceRuntime(order, settings, MemoryBroker())
    await runtime.open()
    await runtime.db.close()


def test_an_unknown_service_or_database_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(runner.MigrationError, match="no migrations for service 'billing'"):
        runner.upgrade(f"sqlite:///{tmp_path}/x.db", schema="billing", service="billing")
    with pytest.raises(runner.MigrationError, match="unsupported database url"):
        runner.upgrade("mysql://db/x", schema="order", service="order")


# --- upgrading what release 0.1 wrote -------------------------------------------------------------


@pytest.fixture
async def release_0_1(target: Target) -> Target:
    """Copies of the databases release 0.1 wrote, where `target` says; its local log and keys
    in the target's data dir."""
    data_dir = target.settings.data_dir
    if target.dialect == "sqlite":
        shutil.copytree(RELEASE / "sqlite", data_dir)
        return target
    shutil.copytree(RELEASE / "postgresql-log", data_dir)
    dump = (RELEASE / "postgresql.sql").read_text()
    # psql's own commands (\restrict) are not SQL; the schemas get this test's namespace.
    sql = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    sql = sql.replace(f"{RELEASE_NAMESPACE}_", f"{target.settings.namespace}_")
    conn = await asyncpg.connect(target.settings.database_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
    return target


def _release_order(target: Target) -> dict[str, object]:
    orders = json.loads((RELEASE / "orders.json").read_text())
    return dict(orders[target.dialect])


async def _queue_legacy_outbox_row(target: Target) -> Envelope:
    """A row 0.1 queued but had not relayed when it was stopped for the upgrade."""
    envelope = an_envelope(event_type="StockReceived", source="inventory", causation_id=None)
    legacy = envelope.to_cloudevent() | {"type": "StockReceived", "source": "inventory"}
    legacy["causationid"] = None
    # Written with the platform's own connection, before any migration ran.
    db = await connect(target.url("inventory"), schema=target.schema("inventory"))
    try:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO outbox_message (event_id, topic, key, event_type, payload, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                str(envelope.event_id),
                "inventory.events",
                envelope.partition_key,
                envelope.event_type,
                fastjson.dumps(legacy),
                envelope.occurred_at,
            )
    finally:
        await db.close()
    return envelope


async def _pending_payload(target: Target, event_id: str) -> dict[str, object]:
    db = await connect(target.url("inventory"), schema=target.schema("inventory"))
    try:
        async with db.transaction() as conn:
            payload = await conn.fetchval(
                "SELECT payload FROM outbox_message WHERE event_id = $1", event_id
            )
    finally:
        await db.close()
    return dict(fastjson.loads(payload))


async def _inbox_times(target: Target, service: str) -> list[datetime]:
    db = await connect(target.url(service), schema=target.schema(service))
    try:
        async with db.transaction() as conn:
            rows = await conn.fetch("SELECT processed_at FROM processed_message")
    finally:
        await db.close()
    return [parse_time(row["processed_at"]) for row in rows]


async def test_databases_written_by_release_0_1_upgrade_and_keep_their_data(
    release_0_1: Target,
) -> None:
    target = release_0_1
    pending = await _queue_legacy_outbox_row(target)

    revisions = await _upgrade_all(target)

    assert revisions == {s: runner.head(s) for s in SERVICES}
    assert await _drift(target) == {s: [] for s in SERVICES}
    assert await _pending_payload(target, str(pending.event_id)) == pending.to_cloudevent()
    # The retention job compares inbox times with its cutoff: each must read back as a time in
    # UTC (release 0.1's SQLite wrote its own "YYYY-MM-DD HH:MM:SS").
    inbox = await _inbox_times(target, "order")
    assert inbox and all(at.utcoffset() == timedelta(0) for at in inbox)


@pytest.fixture
async def upgraded_product(release_0_1: Target) -> AsyncIterator[Api]:
    """The current product started on release 0.1's data, migrating at start (embedded)."""
    settings = release_0_1.settings
    env = {"GAPLESS_SEED_DEMO": "true"}
    if release_0_1.dialect == "postgresql":
        env |= {
            "GAPLESS_DATABASE_URL": settings.database_url,
            "GAPLESS_NAMESPACE": settings.namespace,
        }
    stack = embedded_stack(settings.data_dir, extra_env=env)
    try:
        await asyncio.to_thread(stack.start)
        async with httpx.AsyncClient(timeout=20) as client:
            yield Api(stack, client)
    finally:
        await asyncio.to_thread(stack.stop)


async def test_the_product_on_release_0_1_data_shows_the_old_order_and_takes_new_ones(
    upgraded_product: Api, release_0_1: Target
) -> None:
    api, before = upgraded_product, _release_order(release_0_1)

    order = await api.order(str(before["order_id"]))
    placed = await api.place_order("acme", [("RETRO-CLOCK", 1)])
    await api.wait_for_release(placed, within=30)

    async def both_listed() -> None:
        listed = {o["order_id"] for o in await api.orders(customer_id="acme")}
        assert {before["order_id"], placed} <= listed

    # Lines answer what they did then, and what fields came since (nothing cancelled, returned).
    old_lines = [
        {name: line[name] for name in old}
        for line, old in zip(order["lines"], before["lines"], strict=True)
    ]
    assert (order["status"], old_lines) == (before["status"], before["lines"])
    assert {(line["cancelled"], line["returned"]) for line in order["lines"]} == {(0, 0)}
    await eventually(both_listed, timeout=20, interval=0.2)


# --- read models a migration fills in from the event store ----------------------------------------


def _downgrade(target: Target, service: str, revision: str) -> None:
    config = runner.config(service)

    def downgrade(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)

    runner.on_connection(target.url(service), target.schema(service), downgrade)


async def _complaint_rows(runtime: ServiceRuntime) -> list[tuple[object, ...]]:
    async with runtime.db.transaction() as conn:
        rows = await conn.fetch(
            "SELECT complaint_id, order_id, sku, reason, recorded_by, recorded_at"
            " FROM complaint ORDER BY complaint_id"
        )
    return [tuple(row) for row in rows]


async def test_complaints_recorded_before_their_list_existed_are_filled_in_by_the_upgrade(
    target: Target,
) -> None:
    andon = next(d for d in ALL_SERVICES if d.name == "andon")
    runtime = ServiceRuntime(andon, target.settings, MemoryBroker())
    await runtime.open()
    # Not UTC, with microseconds: filled in, it must read back as the projection wrote it.
    at = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    try:
        async with runtime.unit_of_work() as uow:
            watch = await uow.get_or_create(DefectWatch, "LAVA-LAMP")
            for reason in ("leaks", "cracked"):
                watch.record_complaint(
                    uuid4(), order_id=uuid4(), reason=reason, recorded_by="ops", now=at
                )
            await uow.commit()
        projected = await _complaint_rows(runtime)

        await asyncio.to_thread(_downgrade, target, "andon", "andon_0008")
        await asyncio.to_thread(
            runner.upgrade, target.url("andon"), schema=target.schema("andon"), service="andon"
        )

        filled_in = await _complaint_rows(runtime)
        check = await rebuild_read_models(runtime.db, andon, check_only=True)
    finally:
        await runtime.db.close()
    assert len(projected) == 2
    assert filled_in == projected
    assert check.identical
