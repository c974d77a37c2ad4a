"""Reading from a bus in tests: a group member that always stops, and fetch-until-count."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from shared.bus import Broker, Record, Subscription


@asynccontextmanager
async def group_member(
    broker: Broker, topics: Sequence[str], *, group: str
) -> AsyncIterator[Subscription]:
    """A started subscription that is stopped (leaving its group) however the block ends."""
    subscription = broker.subscription(topics, group=group)
    await subscription.start()
    try:
        yield subscription
    finally:
        await subscription.stop()


async def receive(subscription: Subscription, count: int, *, within: float = 30.0) -> list[Record]:
    """Fetch until `count` records have arrived.

    Raises:
        AssertionError: fewer than `count` arrived within `within` seconds, or more than `count`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    records: list[Record] = []
    while len(records) < count:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"received {len(records)} of {count} records within {within}s")
        records += await subscription.fetch(
            max_records=count - len(records), timeout_ms=int(min(remaining, 0.5) * 1000) + 1
        )
    assert len(records) == count, f"asked for {count} records, the bus returned {len(records)}"
    return records


async def assert_nothing_more(subscription: Subscription, *, within: float = 0.5) -> None:
    """Nothing else arrives within `within` seconds (no redelivery, no duplicates)."""
    extra = await subscription.fetch(max_records=100, timeout_ms=int(within * 1000))
    assert extra == [], f"expected no more records, got {len(extra)}"
