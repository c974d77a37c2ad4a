"""Bring a service's database to the schema this code expects, or tell how far behind it is.

Every service has its own history in `versions/<service>/` and its own version table
(`alembic_version`) in its own SQLite file or PostgreSQL schema. Embedded mode applies the
migrations at start (GAPLESS_MIGRATIONS=apply, the default); scale-out runs `gapless migrate`
once per release before the new version starts (a Kubernetes Job, a compose service, a step of
`make up`) and its services only check (GAPLESS_MIGRATIONS=verify).

A database written by release 0.1, which created its tables at start, has tables but no version
table: its schema is revision `<service>_0001`, so it is stamped there and upgraded from it.
"""

import asyncio
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent
BASELINE = "0001"
T = TypeVar("T")


class MigrationError(RuntimeError):
    """The database cannot be brought to, or is not at, the schema this code expects."""


def services() -> list[str]:
    """Services that have a migration history."""
    return sorted(p.name for p in (MIGRATIONS_DIR / "versions").iterdir() if p.is_dir())


def has_history(service: str) -> bool:
    return (MIGRATIONS_DIR / "versions" / service).is_dir()


def config(service: str) -> Config:
    folder = MIGRATIONS_DIR / "versions" / service
    if not folder.is_dir():
        raise MigrationError(f"no migrations for service {service!r}; known: {services()}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_locations", str(folder))
    cfg.set_main_option("path_separator", "os")
    return cfg


def head(service: str) -> str:
    """The revision this code expects the service's database at."""
    revision = ScriptDirectory.from_config(config(service)).get_current_head()
    if revision is None:
        raise MigrationError(f"the history of {service} has no revision")
    return revision


def upgrade(url: str, *, schema: str, service: str, target: str = "head") -> str | None:
    """Migrate the service's database to `target`; returns the revision it is at afterwards.

    Safe when several processes start at once: they take turns (an advisory lock on
    PostgreSQL, the write lock of the SQLite file) and the later ones find nothing to do.
    """
    cfg = config(service)

    def run(conn: Connection) -> str | None:
        cfg.attributes["connection"] = conn
        found = inspect(conn)
        if not found.has_table("alembic_version") and found.has_table("stored_event"):
            command.stamp(cfg, f"{service}_{BASELINE}")
        command.upgrade(cfg, target)
        return _revision(conn)

    return on_connection(url, schema, run, create_schema=True)


def current(url: str, *, schema: str, service: str) -> str | None:
    """The revision the service's database is at (None: never migrated)."""
    config(service)
    return on_connection(url, schema, _revision)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def check(url: str, *, schema: str, service: str) -> None:
    """Raise MigrationError unless the service's database is at this code's head revision."""
    expected, found = head(service), current(url, schema=schema, service=service)
    if found != expected:
        raise MigrationError(
            f"the {service} schema is at revision {found or 'none'}, this version needs "
            f"{expected}: run the migration step first (`gapless migrate`)"
        )


async def apply_at_start(url: str, *, schema: str, service: str) -> None:
    await asyncio.to_thread(upgrade, url, schema=schema, service=service)


async def check_at_start(url: str, *, schema: str, service: str) -> None:
    await asyncio.to_thread(check, url, schema=schema, service=service)


# --- connections ----------------------------------------------------------------------------------


def on_connection(
    url: str, schema: str, work: Callable[[Connection], T], *, create_schema: bool = False
) -> T:
    """Run `work` on one connection to the service's database, in one transaction, holding the
    migration lock (PostgreSQL: with the search_path on `schema`)."""
    if url.startswith(("postgresql", "postgres")):
        return asyncio.run(_on_postgres(_asyncpg_url(url), schema, work, create_schema))
    if url.startswith("sqlite:///"):
        path = Path(url.split(":///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(path)
        try:
            with engine.begin() as conn:
                return work(conn)
        finally:
            engine.dispose()
    raise MigrationError(
        f"unsupported database url {url!r}: use postgresql://... or sqlite:///path"
    )


async def _on_postgres(
    url: str, schema: str, work: Callable[[Connection], T], create_schema: bool
) -> T:
    engine = create_async_engine(
        url, poolclass=NullPool, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        async with engine.begin() as conn:
            # One migrator per schema at a time; the others wait, then find nothing to do.
            lock = text("SELECT pg_advisory_xact_lock(hashtext(:key))")
            await conn.execute(lock, {"key": f"gapless-migrate:{schema}"})
            exists = text("SELECT 1 FROM pg_namespace WHERE nspname = :schema")
            # Only when missing: a least-privilege role owns its schema but may not create one.
            if create_schema and (await conn.execute(exists, {"schema": schema})).first() is None:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


def _asyncpg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+asyncpg://", url)


def _sqlite_engine(path: Path) -> Engine:
    """One transaction for the whole migration, begun IMMEDIATE: it holds the file's write lock
    from the first read of the version table, so a second process starting at the same moment
    waits, then finds nothing to do; and the DDL commits once (one sync), not per statement."""
    # The services' own connections wait for a busy file too (shared.db); 30 s is generous.
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _: object) -> None:
        # The driver's own implicit transactions off, so the BEGIN below is the only one.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
