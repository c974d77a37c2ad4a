"""Group commit: commands that arrive together share one transaction.

A request does not wait for company: when no batch is running, its command starts one at once
(alone, at low load). Commands that arrive while a batch runs queue up and go together in the
next one, so under load a process pays one transaction, one lock and one round of statements
for many requests instead of one each.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

C = TypeVar("C")
R = TypeVar("R")

# Runs a batch in one transaction: one outcome per command, in order. An exception in the list
# refuses that command only (bad input, say); one raised refuses the batch as a whole.
RunBatch = Callable[[Sequence[C]], Awaitable[Sequence[R | Exception]]]


class GroupCommit(Generic[C, R]):
    def __init__(self, run_batch: RunBatch[C, R], *, max_batch: int = 100) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._queue: list[tuple[C, asyncio.Future[R]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def __call__(self, command: C) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((command, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="group-commit")
        # A caller that goes away (client disconnect) does not cancel the batch it is in.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            await self._settle(batch)

    async def _settle(self, batch: list[tuple[C, asyncio.Future[R]]]) -> None:
        try:
            outcomes = await self._run_batch([command for command, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                _resolve(batch[0][1], error)
                return
            # One command may have spoiled the batch: each alone, so only that one fails.
            logger.warning("a batch of %d commands failed; running them one by one", len(batch))
            for item in batch:
                await self._settle([item])
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            _resolve(future, outcome)


def _resolve(future: "asyncio.Future[R]", outcome: "R | Exception") -> None:
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
