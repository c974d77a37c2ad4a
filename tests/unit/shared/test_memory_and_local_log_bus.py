"""The bus contract on the in-memory broker (unit tests) and the durable local log (embedded)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.bus.local import LocalLogBroker
from shared.bus.memory import MemoryBroker
from shared.testing.builders import a_group_name, numbered_messages, seq_of
from shared.testing.consuming import group_member, receive
from shared.testing.contracts import BusContract


class TestMemoryBus(BusContract):
    @pytest.fixture
    def broker(self) -> MemoryBroker:
        return MemoryBroker()


class TestLocalLogBus(BusContract):
    @pytest.fixture
    async def broker(self, tmp_path: Path) -> AsyncIterator[LocalLogBroker]:
        broker = LocalLogBroker(str(tmp_path / "events.db"))
        await broker.start()
        try:
            yield broker
        finally:
            await broker.close()

    async def test_a_reopened_log_keeps_messages_and_committed_positions(
        self, broker: LocalLogBroker, topic: str, tmp_path: Path
    ) -> None:
        group = a_group_name()
        await broker.publisher().publish(numbered_messages(topic, key="parcel-1", count=5))
        async with group_member(broker, [topic], group=group) as member:
            await member.commit((await receive(member, 5))[:2])
        await broker.close()

        reopened = LocalLogBroker(str(tmp_path / "events.db"))
        await reopened.start()
        try:
            async with group_member(reopened, [topic], group=group) as member:
                redelivered = await receive(member, 3)
        finally:
            await reopened.close()

        assert [seq_of(record)[1] for record in redelivered] == [2, 3, 4]


async def test_the_memory_broker_with_redeliver_hands_out_every_record_twice() -> None:
    broker = MemoryBroker(redeliver=True)
    await broker.publisher().publish(numbered_messages("parcels", key="p", count=2))

    async with group_member(broker, ["parcels"], group=a_group_name()) as member:
        records = await receive(member, 4)

    assert [seq_of(record)[1] for record in records] == [0, 0, 1, 1]
