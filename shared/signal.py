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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ticket.wait(), timeout_seconds)
