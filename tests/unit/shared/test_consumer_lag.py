"""Consumer lag is sampled on a timer of its own: it shows the backlog of a consumer stuck in a
batch (fetched, not committed) and drops to zero once the consumer catches up and idles."""

import asyncio
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shared.bus import OutgoingMessage
from shared.bus.local import LocalLogBroker
from shared.consumer import LAG, Route
from shared.envelope import Envelope
from shared.runtime import ServiceDefinition, ServiceRuntime, Subscriptions
from shared.settings import ServiceSettings
from shared.testing.builders import an_envelope
from shared.testing.polling import eventually
from shared.unit_of_work import UnitOfWork

RELEASE = asyncio.Event()


class _Anything(BaseModel):
    pass


async def _blocks_until_released(_: Any, __: Envelope, ___: UnitOfWork) -> None:
    await RELEASE.wait()


DEFINITION = ServiceDefinition(
    name="laggy",
    published=(),
    subscriptions=(
        Subscriptions(
            topics=("parcels.events",),
            routes={"ParcelWeighed": Route(_Anything, _blocks_until_released)},
        ),
    ),
)


def _lag() -> float:
    return float(LAG.labels("laggy")._value.get())


async def test_lag_grows_while_a_consumer_is_stuck_and_is_zero_when_it_idles(
    tmp_path: Path,
) -> None:
    settings = ServiceSettings(data_dir=tmp_path, database_url="", schedule_interval_seconds=0.05)
    broker = LocalLogBroker(settings.local_log_path)
    await broker.start()
    runtime = ServiceRuntime(DEFINITION, settings, broker)
    await runtime.open()
    await runtime.start()
    try:
        messages = [
            OutgoingMessage("parcels.events", "p1", an_envelope().to_json()) for _ in range(3)
        ]
        await broker.publisher().publish(messages)

        async def stuck_with_three() -> None:
            assert _lag() == 3

        await eventually(stuck_with_three, timeout=10)
        await asyncio.sleep(0.2)  # several samples later, still stuck: still three
        assert _lag() == 3

        RELEASE.set()

        async def caught_up() -> None:
            assert _lag() == 0

        await eventually(caught_up, timeout=10)
    finally:
        await runtime.stop()
        await broker.close()
