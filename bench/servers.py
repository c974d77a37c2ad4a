"""The shared servers the scale-out benchmarks run on: how to start them, and leaving them clean."""

import os
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient

from bench.postgres import drop_schemas
from tests.e2e.stack import Stack

START_HINT = (
    "scale-out needs PostgreSQL and Kafka. Start them and export the addresses with:\n"
    "  eval \"$(deploy/infra.sh up | sed 's/^/export /')\"\n"
    "(stop them afterwards with deploy/infra.sh down), or run --targets embedded."
)


def servers_missing(targets: Iterable[str]) -> str | None:
    """Why the chosen targets cannot run: scale-out without the servers' addresses exported.
    None when they can."""
    if "scaleout" in targets and not (
        os.environ.get("POSTGRES_DSN") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    ):
        return f"[bold red]POSTGRES_DSN / KAFKA_BOOTSTRAP_SERVERS not set.[/]\n{START_HINT}"
    return None


async def clean_scaleout(stack: Stack) -> None:
    """Drop the run's schemas and topics from the shared servers."""
    namespace = stack.env["GAPLESS_NAMESPACE"]
    services = {p.args[-1].removeprefix("services.") for p in stack.processes.values()}
    await drop_schemas(os.environ["POSTGRES_DSN"], *(f"{namespace}_{name}" for name in services))
    admin = AIOKafkaAdminClient(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"])
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(f"{namespace}.")]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()
