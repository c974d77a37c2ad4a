"""/readyz names every consumer of a service: one that has not started is not hidden by another."""

from pathlib import Path

from services.andon.service import DEFINITION
from shared.bus.memory import MemoryBroker
from shared.runtime import ServiceDefinition, ServiceRuntime, Subscriptions
from shared.settings import ServiceSettings
from shared.testing import eventually

TWO_CONSUMERS = ServiceDefinition(
    name="watcher",
    published=(),
    subscriptions=(
        Subscriptions(topics=("order.events",), routes={}),
        Subscriptions(topics=("watcher.events.dlq",), routes={}),
    ),
)


async def test_readiness_reports_each_consumer_of_a_service(tmp_path: Path) -> None:
    runtime = ServiceRuntime(TWO_CONSUMERS, ServiceSettings(data_dir=tmp_path), MemoryBroker())
    await runtime.open()
    await runtime.start()
    try:

        async def both_started() -> None:
            assert all(consumer.ready.is_set() for consumer in runtime.consumers)

        await eventually(both_started, timeout=10)
        runtime.consumers[1].ready.clear()  # as when its subscription stops

        checks = await runtime.readiness()
    finally:
        await runtime.stop()

    assert checks["watcher.database"] is True
    assert set(checks) == {
        "watcher.database",
        "watcher.consumer:order.events",
        "watcher.consumer:watcher.events.dlq",
    }
    assert checks["watcher.consumer:watcher.events.dlq"] is False


async def test_the_andon_service_reports_both_its_consumers(tmp_path: Path) -> None:
    runtime = ServiceRuntime(
        DEFINITION, ServiceSettings(data_dir=tmp_path, database_url=""), MemoryBroker()
    )
    await runtime.open()
    try:
        await runtime.start()

        async def all_ready() -> dict[str, bool]:
            checks = await runtime.readiness()
            assert all(checks.values()), checks
            return checks

        checks = await eventually(all_ready)
    finally:
        await runtime.stop()
    consumers = [name for name in checks if name.startswith("andon.consumer:")]
    assert len(consumers) == len(DEFINITION.subscriptions) == 2
    assert "andon.consumer:order.events,inventory.events,credit.events,fulfillment.events" in checks
    assert checks["andon.database"] is True
