"""Polling with a deadline: the only way tests wait for something that happens asynchronously."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


# ASYNC109 prefers a cancel scope; here the deadline is the point: at it the last failure re-raises.
async def eventually(
    check: Callable[[], Awaitable[T]],
    timeout: float = 10.0,  # noqa: ASYNC109
    *,
    interval: float = 0.02,
) -> T:
    """Run `check` until it stops raising `AssertionError`, and return what it returned.

    Never `sleep(n)` then assert: that is either slow or flaky. This polls instead, and at the
    deadline re-raises the check's last failure, so the test reports what was still wrong.

    Args:
        check: an async callable that asserts the expected state.
        timeout: seconds before giving up.
        interval: seconds between attempts.

    Returns:
        The value returned by the first passing call of `check`.

    Raises:
        AssertionError: the last failure of `check`, once `timeout` has passed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if loop.time() >= deadline:
                raise
        await asyncio.sleep(interval)
