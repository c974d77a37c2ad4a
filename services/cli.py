"""The `gapless` command line: replay and read-model rebuilds, archives, KPIs and keys for ops.

Reads the same GAPLESS_* settings as the services, so it targets whichever deployment the
environment names (embedded data dir by default).
"""

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from migrations import runner as migrations
from services.order.api.kpis import kpi_report
from services.order.commands import ClassifyCustomersAndItems
from services.order.handlers import Classes
from services.order.service import DEFINITION as ORDER
from services.order.views.archive import (
    archivable_orders,
    forget_answers,
    keep_answers,
    order_of_stream,
    streams_of,
)
from services.roster import ALL_NAMES, ALL_SERVICES, definition
from shared.archive import Archived, ArchiveError, export_streams, import_archive
from shared.auth import (
    KeyFile,
    KeyNameTakenError,
    KeyNameUnknownError,
    Role,
    create_credentials,
)
from shared.bus.memory import MemoryBroker
from shared.db import Connection, Database, connect
from shared.replay import ArchivedStreamsError, RebuildReport, rebuild_read_models
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.serve import build_broker
from shared.settings import ServiceSettings

app = typer.Typer(help="gapless operations: replay, read-model rebuilds, archives, KPIs, keys.")
replay = typer.Typer(help="Replay event streams.")
app.add_typer(replay, name="replay")
keys = typer.Typer(help="API keys for channels and staff.")
app.add_typer(keys, name="keys")
archive = typer.Typer(help="Move ended orders' events to compressed files, and back.")
app.add_typer(archive, name="archive")
console = Console(stderr=True)


def _definition(service: str) -> ServiceDefinition:
    try:
        return definition(service)
    except LookupError as unknown:
        raise typer.BadParameter(str(unknown)) from None


async def _rebuild(definition: ServiceDefinition, check: bool) -> RebuildReport:
    settings = ServiceSettings()
    assert definition.read_models is not None
    db = await connect(
        settings.database_url_for(definition.name), schema=settings.schema_for(definition.name)
    )
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} events"),
            console=console,
        ) as progress:
            task = progress.add_task(f"replaying {definition.name}", total=None)
            return await rebuild_read_models(
                db,
                definition,
                check_only=check,
                progress=lambda n: progress.advance(task, n),
            )
    finally:
        await db.close()


@replay.command("rebuild")
def rebuild(
    service: Annotated[str, typer.Argument(help="order, inventory, fulfillment or andon")],
    check: Annotated[bool, typer.Option(help="rebuild, compare by hash, change nothing")] = False,
) -> None:
    """Rebuild a service's read models from zero out of its event store."""
    definition = _definition(service)
    if definition.read_models is None:
        raise typer.BadParameter(f"{service} keeps no read models")
    try:
        report = asyncio.run(_rebuild(definition, check))
    except ArchivedStreamsError as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(1) from None
    verdict = "identical" if report.identical else "DIFFERENT"
    console.print(
        f"{report.events} events replayed; read models {verdict} "
        f"(before {report.hash_before[:16]}, after {report.hash_after[:16]}); "
        f"{'committed' if report.committed else 'nothing changed (check)'}"
    )
    if check and not report.identical:
        raise typer.Exit(1)


async def _rewind(
    settings: ServiceSettings, group: str, topic: str, since: datetime | None
) -> None:
    broker = build_broker(settings)
    await broker.start()
    try:
        await broker.rewind(group=group, topic=topic, since=since)
    finally:
        await broker.close()


@replay.command("group")
def rewind_group(
    group: Annotated[str, typer.Argument(help="consumer group to re-feed, e.g. a WMS adapter")],
    topic: Annotated[str, typer.Option(help="topic to replay, e.g. order.events")],
    since: Annotated[
        datetime | None, typer.Option(help="replay from this time (ISO 8601); default: the start")
    ] = None,
) -> None:
    """Replay a topic to a named consumer group (its members must be stopped)."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    settings = ServiceSettings()
    window_start = datetime.now(UTC) - settings.retention.replay_window
    if group in ALL_NAMES and (since is None or since < window_start):
        # Its inbox forgets what it handled after the retention period: an older event
        # handed to it again could take effect twice.
        raise typer.BadParameter(
            f"{group} is a gapless consumer group: a replay to it may reach back the replay"
            f" window (GAPLESS_RETENTION__REPLAY_WINDOW) at most; give a time at or after"
            f" {window_start.isoformat()}",
            param_hint="--since",
        )
    try:
        asyncio.run(_rewind(settings, group, topic, since))
    except Exception as error:
        console.print(f"[red]could not rewind {group} on {topic}: {error}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"{group} will read {topic} again from {since.isoformat() if since else 'the start'}"
    )


async def _order_db(settings: ServiceSettings) -> Database:
    return await connect(
        settings.database_url_for(ORDER.name), schema=settings.schema_for(ORDER.name)
    )


async def _export(days: int, limit: int, only: list[str], to: Path | None) -> str:
    settings = ServiceSettings()
    db = await _order_db(settings)
    try:
        now = datetime.now(UTC)
        async with db.transaction() as conn:
            order_ids = await archivable_orders(
                conn, before=now - timedelta(days=days), limit=limit, only=only
            )
        if not order_ids:
            return f"no ended order older than {days} days to archive"
        path = to or settings.data_dir / "archive" / f"order-{now:%Y%m%dT%H%M%S%fZ}.jsonl.gz"
        archived = await export_streams(
            db,
            streams_of(order_ids),
            path,
            service=ORDER.name,
            now=now,
            keep=lambda conn: keep_answers(conn, order_ids),
        )
    finally:
        await db.close()
    typer.echo(path)
    return (
        f"archived {len(order_ids)} orders ({archived.streams} streams, {archived.events} events)"
        f" to {path}"
    )


@archive.command("export")
def export_archive(
    older_than_days: Annotated[
        int, typer.Option(min=0, help="orders whose last event is older than this")
    ] = 90,
    limit: Annotated[
        int,
        typer.Option(min=1, help="at most this many orders: one file, one transaction; run again"),
    ] = 1_000,
    order: Annotated[
        list[str] | None, typer.Option("--order", help="only this order (repeatable)")
    ] = None,
    to: Annotated[
        Path | None,
        typer.Option(
            help="the new archive file (default: archive/order-<time>.jsonl.gz in the data folder)"
        ),
    ] = None,
) -> None:
    """Move ended orders' event streams (completed, cancelled, rejected) to an archive file.

    The file is written and synced first, then the streams leave the event store; the read
    models keep their rows."""
    try:
        console.print(asyncio.run(_export(older_than_days, limit, order or [], to)))
    except FileExistsError as exists:
        console.print(f"[red]{exists}[/red]")
        raise typer.Exit(1) from None


async def _import(file: Path) -> Archived:
    db = await _order_db(ServiceSettings())

    async def restored(conn: Connection, streams: list[str]) -> None:
        await forget_answers(conn, [o for s in streams if (o := order_of_stream(s)) is not None])

    try:
        return await import_archive(db, file, service=ORDER.name, restored=restored)
    finally:
        await db.close()


@archive.command("import")
def import_archive_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="an archive file")],
) -> None:
    """Put the events of an archive file back into the event store, exactly as they were."""
    try:
        imported = asyncio.run(_import(file))
    except ArchiveError as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(1) from None
    console.print(f"imported {imported.streams} streams ({imported.events} events) from {file}")


async def _classify() -> dict[str, dict[str, str]]:
    # The CLI publishes nothing itself: the rows it commits to the order service's outbox are
    # relayed by the running service, as for any other command.
    runtime = ServiceRuntime(ORDER, ServiceSettings(), MemoryBroker())
    await runtime.open()
    try:
        classes: Classes = await runtime.send(ClassifyCustomersAndItems())
    finally:
        await runtime.db.close()
    return {"customers": dict(classes.customers), "items": dict(classes.items)}


@app.command()
def classify() -> None:
    """Recompute customer and item classes (A/B/C) from the order history now."""
    classes = asyncio.run(_classify())
    typer.echo(json.dumps(classes, indent=2, sort_keys=True))


@app.command()
def migrate(
    service: Annotated[
        list[str] | None, typer.Argument(help="services to migrate; default: every service")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="only report; exit 1 if a schema is behind")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(help="with --check: wait up to this many seconds for the migration step"),
    ] = 0,
) -> None:
    """Bring each service's schema to this version's (the migration step of a release).

    Reads GAPLESS_DATABASE_URL (and GAPLESS_NAMESPACE) like the services; safe to run while the
    previous version serves, and twice.
    """
    settings = ServiceSettings()
    behind = False
    for name in service or [d.name for d in ALL_SERVICES]:
        definition = _definition(name)
        url, schema = settings.database_url_for(definition.name), settings.schema_for(name)
        try:
            if check:
                _check_patiently(url, schema, name, wait)
                console.print(f"{name}: at {migrations.head(name)}")
            else:
                revision = migrations.upgrade(url, schema=schema, service=name)
                console.print(f"{name}: at {revision}")
        except migrations.MigrationError as error:
            console.print(f"[red]{name}: {error}[/red]")
            behind = True
    if behind:
        raise typer.Exit(1)


def _check_patiently(url: str, schema: str, service: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            migrations.check(url, schema=schema, service=service)
            return
        except migrations.MigrationError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(2)


@keys.command("create")
def create_keys(
    folder: Annotated[Path, typer.Option("--dir", help="where keys.json and credentials.json go")],
    channel: Annotated[str, typer.Option(help="name of the channel the channel key is for")] = (
        "demo-shop"
    ),
) -> None:
    """Create a channel, a staff and an ops key (keys.json holds only their digests)."""
    if (folder / "keys.json").exists():
        console.print(f"[red]{folder / 'keys.json'} exists; refusing to replace its keys[/red]")
        raise typer.Exit(1)
    created = create_credentials(folder, channel=channel)
    typer.echo(json.dumps(created, indent=2))


KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--file", help="the keys file (default: GAPLESS_KEYS_FILE or keys.json in the data dir)"
    ),
]


def _key_file(path: Path | None) -> KeyFile:
    return KeyFile(path or ServiceSettings().keys_path)


def _show_new_key(name: str, role: Role, key: str) -> None:
    console.print(f"new {role} key for [bold]{name}[/bold] (shown once; keep it secret):")
    typer.echo(key)


@keys.command("add-channel")
def add_channel(
    name: Annotated[str, typer.Argument(help="the channel's name, as its orders will show it")],
    file: KeysFile = None,
) -> None:
    """A key for another sales channel; the services honour it at once."""
    _add(file, name, Role.CHANNEL)


@keys.command("add")
def add_key(
    name: Annotated[str, typer.Argument(help="who holds the key (it signs what they do)")],
    role: Annotated[Role, typer.Option(help="staff or ops")] = Role.STAFF,
    file: KeysFile = None,
) -> None:
    """A key for a person or a tool: staff (reads, pulls andons) or ops (decides, changes)."""
    if role is Role.CHANNEL:
        raise typer.BadParameter("a channel's key comes from `keys add-channel NAME`")
    _add(file, name, role)


def _add(file: Path | None, name: str, role: Role) -> None:
    try:
        key = _key_file(file).add(name, role)
    except KeyNameTakenError as taken:
        console.print(f"[red]{taken}[/red]")
        raise typer.Exit(1) from None
    _show_new_key(name, role, key)


@keys.command("list")
def list_keys(file: KeysFile = None) -> None:
    """Every key's name, role and age (the keys themselves are not kept)."""
    table = Table()
    for column in ("name", "role", "created", "works until"):
        table.add_column(column)
    for entry in _key_file(file).entries():
        table.add_row(
            entry["name"], entry["role"], entry.get("created_at", "-"), entry.get("expires_at", "")
        )
    console.print(table)


@keys.command("revoke")
def revoke_key(
    name: Annotated[str, typer.Argument(help="whose keys stop working")],
    file: KeysFile = None,
) -> None:
    """Every key of NAME stops working at once (401)."""
    revoked = _key_file(file).revoke(name)
    if not revoked:
        console.print(f"[red]no key is named {name!r}[/red]")
        raise typer.Exit(1)
    console.print(f"revoked {revoked} key(s) of {name}")


@keys.command("rotate")
def rotate_key(
    name: Annotated[str, typer.Argument(help="whose key to replace")],
    grace_hours: Annotated[
        float, typer.Option(min=0, help="how long the old key still works")
    ] = 24,
    file: KeysFile = None,
) -> None:
    """A new key for NAME; the old one keeps working for the grace period, then stops."""
    keyfile = _key_file(file)
    try:
        key = keyfile.rotate(name, timedelta(hours=grace_hours))
    except KeyNameUnknownError as unknown:
        console.print(f"[red]{unknown}[/red]")
        raise typer.Exit(1) from None
    role = Role(next(e["role"] for e in keyfile.entries() if e["name"] == name))
    _show_new_key(name, role, key)


async def _kpis(hours: int, segment: str | None) -> dict[str, object]:
    runtime = ServiceRuntime(ORDER, ServiceSettings(), MemoryBroker())
    await runtime.open()
    try:
        return await kpi_report(runtime, end=runtime.clock.now(), hours=hours, segment=segment)
    finally:
        await runtime.db.close()


_KPI_COLUMNS = (
    ("orders", "orders", "n"),
    ("processing_time_seconds", "processing s", "s"),
    ("cycle_time_seconds", "cycle s", "s"),
    ("released_on_time_rate", "released on time", "%"),
    ("unit_fill_rate", "unit fill", "%"),
    ("order_fill_rate", "order fill", "%"),
    ("first_time_fill_rate", "first-time fill", "%"),
    ("perfect_order_rate", "perfect", "%"),
    ("backorder_rate", "backorders", "%"),
    ("cancellation_rate", "cancelled", "%"),
)


def _cell(value: object, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%" and isinstance(value, float):
        return f"{value:.1%}"
    return f"{value:.0f}" if isinstance(value, float) else str(value)


@app.command()
def kpis(
    hours: Annotated[int, typer.Option(min=1, max=24 * 366, help="window: the last HOURS")] = 24,
    segment: Annotated[str | None, typer.Option(help="one segment, AA to CC")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the GET /v1/kpis document")] = False,
) -> None:
    """Service KPIs per segment against the policy's targets, over the last HOURS."""
    report = asyncio.run(_kpis(hours, segment))
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    table = Table(title=f"KPIs {report['window_from']} to {report['window_to']}")
    table.add_column("group")
    for _, title, _unit in _KPI_COLUMNS:
        table.add_column(title, justify="right")
    table.add_column("fill target", justify="right")
    table.add_column("response target", justify="right")
    segments = report["segments"]
    assert isinstance(segments, dict)
    for name, figures in [("all", report["overall"]), *segments.items()]:
        assert isinstance(figures, dict)
        targets = figures.get("targets") or {}
        table.add_row(
            name,
            *(_cell(figures[field], unit) for field, _, unit in _KPI_COLUMNS),
            _judged(targets.get("target_fill_rate"), targets.get("fill_rate_met"), "%"),
            _judged(
                targets.get("target_response_minutes"), targets.get("response_time_met"), "min"
            ),
        )
    Console().print(table)


def _judged(target: object, met: object, unit: str) -> str:
    if target is None:
        return "-"
    shown = f"{target:.0%}" if unit == "%" and isinstance(target, float) else f"{target} {unit}"
    return f"{shown} {'met' if met else 'missed' if met is False else ''}".strip()


def main() -> None:
    app()
