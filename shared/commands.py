"""Running a command handler: a lost race with another writer is retried from a fresh read."""

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random

from shared.db import UniqueViolationError
from shared.errors import ConcurrencyError

# A concurrent writer won: the same command, run again from a fresh read, decides anew. PostgreSQL
# may also end a race by aborting one side (a deadlock between two multi-stream writers, say).
LOST_RACES = (
    ConcurrencyError,
    UniqueViolationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)

P = ParamSpec("P")
R = TypeVar("R")


async def run_command(handler: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `handler`, re-running it (reload, re-decide) when a concurrent writer won.

    Raises:
        ConcurrencyError: still losing after several attempts (surfaces as HTTP 409).
    """
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(LOST_RACES),
        stop=stop_after_attempt(8),
        wait=wait_random(0.001, 0.02),
        reraise=True,
    ):
        with attempt:
            return await handler(*args, **kwargs)
    raise AssertionError("unreachable: tenacity re-raises the last error")
