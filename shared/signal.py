"""A race-free "something changed" signal for in-process waiters (one publisher, many readers)."""

import asyncio
import contextlib


class ChangeSignal:
    """Take `ticket()` BEFORE reading; `wait(ticket, ...)` then returns at once if anything
    changed since, so a change landing between the read and the wait is never missed."""

    def __init__(self) -> None:
        self._current = asyncio.Event()

    def ticket(self) -> asyncio.Event:
        return self._current

    def notify(self) -> None:
        fired, self._current = self._current, asyncio.Event()
        fired.set()

    @staticmethod
    async def wait(ticket: asyncio.Event, timeout_seconds: float) -> None:
        await wait_at_most(ticket, timeout_seconds)


async def wait_at_most(event: asyncio.Event, timeout_seconds: float) -> None:
    """Wait for `event` or the timeout, whichever comes first.

    `asyncio.timeout` rather than `wait_for`: on Python 3.11 `wait_for` can swallow a cancellation
    that arrives as the event fires, and a task being stopped would then run on.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_seconds):
            await event.wait()
