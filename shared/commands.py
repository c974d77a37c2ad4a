"""Running a command handler: a lost race with another writer is retried from a fresh read."""

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random

from shared.db import UniqueViolationError
from shared.errors import ConcurrencyError

P = ParamSpec("P")
R = TypeVar("R")


async def run_command(handler: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `handler`, re-running it (reload, re-decide) when a concurrent writer won.

    Raises:
        ConcurrencyError: still losing after several attempts (surfaces as HTTP 409).
    """
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type((ConcurrencyError, UniqueViolationError)),
        stop=stop_after_attempt(8),
        wait=wait_random(0.001, 0.02),
        reraise=True,
    ):
        with attempt:
            return await handler(*args, **kwargs)
    raise AssertionError("unreachable: tenacity re-raises the last error")
