"""`eventually` polls with a deadline instead of sleeping and hoping."""

import asyncio

import pytest

from shared.testing import eventually


async def test_eventually_returns_as_soon_as_the_check_passes() -> None:
    attempts: list[int] = []

    async def third_time_lucky() -> int:
        attempts.append(1)
        assert len(attempts) >= 3
        return len(attempts)

    assert await eventually(third_time_lucky, timeout=5, interval=0.001) == 3


async def test_eventually_reraises_the_last_failure_at_the_deadline() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def never() -> None:
        raise AssertionError("still waiting for the parcel")

    with pytest.raises(AssertionError, match="still waiting for the parcel"):
        await eventually(never, timeout=0.1, interval=0.01)

    assert 0.1 <= loop.time() - started < 1.0


async def test_eventually_does_not_swallow_errors_other_than_failed_assertions() -> None:
    async def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await eventually(broken, timeout=5)
