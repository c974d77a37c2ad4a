"""Hot-path micro-benchmark: the platform's consumer transaction against the raw drivers.

Run: python -m bench.hot_path   (needs POSTGRES_DSN: eval "$(deploy/infra.sh up)")

One transaction = inbox claim + 1-2 events appended to a stream + their outbox rows.
PostgreSQL: OURS (UnitOfWork) against RAW asyncpg running the same statements on an asyncpg.Pool
(the goal's baseline) and, for information, against dedicated connections with explicit prepared
statements. SQLite (embedded mode): OURS on SqliteDatabase against the sqlite3 module.
Every variant has its own fresh schema (or file) and the same concurrency; after a warm-up the
timed rounds rotate the variants' order so drift hits all alike.
Writes bench-results/hot_path.json under the current directory. Exit code 0 whenever it ran.
"""

import argparse
import asyncio
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any
from uuid import uuid4

import asyncpg
from rich.console import Console

from bench import postgres, sqlite
from bench.report import goal, render, scenario_summary, wide_console, write
from bench.runner import Plan, compare


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hot_path",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--concurrency", type=int, default=8, help="concurrent tasks (%(default)s)")
    # Many short rounds rather than a few long ones: on a shared 2-core machine the load from
    # other processes changes within seconds, and short rotating rounds spread it evenly.
    option("--rounds", type=int, default=12, help="timed rounds per variant (%(default)s)")
    option("--transactions", type=int, default=1000, help="per PostgreSQL round (%(default)s)")
    option("--sqlite-transactions", type=int, default=500, help="per SQLite round (%(default)s)")
    option("--warmup", type=int, default=400, help="untimed transactions first (%(default)s)")
    option("--budget", type=float, default=90.0, help="start no round after (%(default)s s)")
    option("--output", type=Path, default=Path("bench-results/hot_path.json"))
    return parser.parse_args(argv)


START_HINT = (
    "Start the local servers and export the DSN with:\n"
    '  eval "$(deploy/infra.sh up)" && export POSTGRES_DSN\n'
    "then run: python -m bench.hot_path   (stop them afterwards with: deploy/infra.sh down)"
)
HANG_GRACE_S = 20.0
WIDTH = 120
PG_LABELS = {
    "ours": "UnitOfWork on PostgresDatabase: claim, add aggregate, flush, commit",
    "raw": "asyncpg.Pool + conn.transaction(); asyncpg's per-connection prepared statements",
    "raw_prepared": "(info) own queue of asyncpg connections, explicit PreparedStatement, no reset",
}
SQLITE_LABELS = {
    "ours": "UnitOfWork on SqliteDatabase (WAL, synchronous=FULL, BEGIN IMMEDIATE)",
    "raw": "sqlite3 module, same pragmas and statements, BEGIN IMMEDIATE",
    # What durability on power loss costs: the same, syncing the WAL only at checkpoints.
    "ours_normal": "(info) UnitOfWork on SqliteDatabase with synchronous=NORMAL",
}


async def postgres_scenario(dsn: str, plan: Plan) -> dict[str, Any]:
    token = uuid4().hex[:8]
    schemas = {name: f"bench_hot_{token}_{name}" for name in PG_LABELS}
    opened: list[Any] = []
    try:
        for name, variant in (
            ("ours", postgres.open_ours),
            ("raw", postgres.PgRaw.open),
            ("raw_prepared", postgres.PgRawPrepared.open),
        ):
            opened.append(await variant(dsn, schema=schemas[name], concurrency=plan.concurrency))
        results = await compare(opened, plan)
        rows = {name: await postgres.row_counts(dsn, s) for name, s in schemas.items()}
    finally:
        for variant in opened:
            await variant.close()
        await postgres.drop_schemas(dsn, *schemas.values())
    return scenario_summary(
        results,
        PG_LABELS,
        plan,
        rows,
        driver=f"asyncpg {asyncpg.__version__}",
        server=await postgres.server_facts(dsn),
    )


async def sqlite_scenario(plan: Plan) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gapless-bench-") as folder:
        paths = {name: Path(folder) / f"{name}.db" for name in SQLITE_LABELS}
        ours = await sqlite.open_ours(paths["ours"])
        raw = await sqlite.SqliteRaw.open(paths["raw"])
        normal = await sqlite.open_ours(paths["ours_normal"], synchronous="NORMAL")
        normal.name = "ours_normal"
        try:
            results = await compare([ours, raw, normal], plan)
        finally:
            for variant in (ours, raw, normal):
                await variant.close()
        rows = {name: sqlite.row_counts(path) for name, path in paths.items()}
    return scenario_summary(
        results,
        SQLITE_LABELS,
        plan,
        rows,
        driver=f"sqlite3, SQLite {sqlite.sqlite_version()}",
        server={"journal_mode": "WAL", "synchronous": "FULL", "file": "temporary directory"},
    )


async def run(args: argparse.Namespace, dsn: str) -> dict[str, Any]:
    started_at, load = datetime.now(UTC), os.getloadavg()
    started = perf_counter()
    # Soft deadlines stop starting rounds; the hard timeout only guards against a hung server.
    pg_plan = Plan(
        args.concurrency, args.rounds, args.transactions, args.warmup, started + args.budget * 0.75
    )
    lite_plan = Plan(
        args.concurrency,
        args.rounds,
        args.sqlite_transactions,
        args.warmup // 2,
        started + args.budget,
    )
    async with asyncio.timeout(args.budget + HANG_GRACE_S):
        scenarios = {
            "postgresql": await postgres_scenario(dsn, pg_plan),
            "sqlite": await sqlite_scenario(lite_plan),
        }
    return {
        "benchmark": "hot_path",
        "command": " ".join(["python -m bench.hot_path", *sys.argv[1:]]),
        "started_at": started_at.isoformat(),
        "duration_s": round(perf_counter() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(value, 2) for value in load],
        },
        "goal": goal(scenarios),
        "scenarios": scenarios,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console, errors = wide_console(WIDTH), Console(stderr=True)
    dsn = os.environ.get("POSTGRES_DSN")
    if not dsn:
        errors.print(f"[bold red]POSTGRES_DSN is not set.[/]\n{START_HINT}", highlight=False)
        return 2
    try:
        asyncio.run(postgres.server_facts(dsn))
    except (OSError, asyncpg.PostgresError) as error:
        errors.print(
            f"[bold red]Cannot reach POSTGRES_DSN: {error}[/]\n{START_HINT}", highlight=False
        )
        return 2
    try:
        document = asyncio.run(run(args, dsn))
    except TimeoutError:
        limit = args.budget + HANG_GRACE_S
        errors.print(f"[bold red]no result: a round was still running after {limit:.0f} s[/]")
        return 1
    render(console, document)
    write(args.output, document)
    console.print(f"Results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
