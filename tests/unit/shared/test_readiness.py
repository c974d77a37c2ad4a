"""/readyz names every consumer of a service, not only the last one started."""

from pathlib import Path

from services.andon.service import DEFINITION
from shared.bus.memory import MemoryBroker
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.polling import eventually


async def test_readiness_reports_each_consumer_of_a_service(tmp_path: Path) -> None:
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
