"""Group commit: commands arriving together run as one batch; a refusal stays with its command."""

import asyncio
from collections.abc import Sequence

import pytest

from shared.group_commit import GroupCommit


class Recorder:
    def __init__(self, *, refuse: int | None = None, spoil: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self._refuse = refuse
        self._spoil = spoil

    async def run(self, commands: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(commands))
        self.started.set()
        await self.gate.wait()
        if self._spoil in commands and len(commands) > 1:
            raise RuntimeError("one command spoiled the transaction")
        if self._spoil in commands:
            raise RuntimeError(f"command {self._spoil} is broken")
        return [ValueError(c) if c == self._refuse else c * 10 for c in commands]


async def submit_all(group: GroupCommit[int, int], recorder: Recorder, count: int) -> list[object]:
    calls = [asyncio.ensure_future(group(0))]
    await recorder.started.wait()
    # the others arrive while the first batch is still running
    calls += [asyncio.ensure_future(group(n)) for n in range(1, count)]
    await asyncio.sleep(0)
    recorder.gate.set()
    return list(await asyncio.gather(*calls, return_exceptions=True))


async def test_the_first_command_goes_alone_and_the_ones_arriving_meanwhile_go_together() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.run)

    outcomes = await submit_all(group, recorder, 5)

    assert outcomes == [0, 10, 20, 30, 40]
    assert recorder.batches == [[0], [1, 2, 3, 4]]


async def test_requests_arriving_in_the_same_moment_share_the_first_batch() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.run)
    calls = [asyncio.ensure_future(group(n)) for n in range(3)]
    recorder.gate.set()

    assert await asyncio.gather(*calls) == [0, 10, 20]
    assert recorder.batches == [[0, 1, 2]]


async def test_batches_are_bounded_in_size() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.run, max_batch=2)

    await submit_all(group, recorder, 5)

    assert recorder.batches == [[0], [1, 2], [3, 4]]


async def test_a_refused_command_fails_alone() -> None:
    recorder = Recorder(refuse=3)
    group = GroupCommit(recorder.run)

    outcomes = await submit_all(group, recorder, 5)

    assert [type(o) for o in outcomes] == [int, int, int, ValueError, int]
    assert len(recorder.batches) == 2


async def test_a_batch_that_fails_as_a_whole_is_run_one_by_one() -> None:
    recorder = Recorder(spoil=2)
    group = GroupCommit(recorder.run)

    outcomes = await submit_all(group, recorder, 4)

    assert outcomes[:2] == [0, 10] and outcomes[3] == 30
    assert isinstance(outcomes[2], RuntimeError)
    assert recorder.batches == [[0], [1, 2, 3], [1], [2], [3]]


async def test_a_caller_that_goes_away_does_not_cancel_the_batch() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.run)
    gone = asyncio.ensure_future(group(7))
    await recorder.started.wait()
    gone.cancel()
    stays = asyncio.ensure_future(group(8))
    await asyncio.sleep(0)
    recorder.gate.set()

    assert await stays == 80
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert recorder.batches == [[7], [8]]
