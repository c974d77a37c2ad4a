"""Commands: one typed message per request to act, one handler each, one way to send them.

A service lists its handlers in its definition (`commands`); HTTP routes, the CLI and scheduled
jobs all go through `CommandBus.send`. A handler has one shape, `async def handle(cmd, uow)`,
and takes the time from `uow.now()`. A lost race with another writer re-runs it from a fresh
read. `Batched` handlers take every command of their type that arrived together in one
transaction (group commit, see shared/group_commit.py).
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random

from shared.db import UniqueViolationError
from shared.errors import ConcurrencyError
from shared.group_commit import GroupCommit
from shared.messages import Command
from shared.unit_of_work import UnitOfWork

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

Handle = Callable[[Any, UnitOfWork], Awaitable[Any]]


@dataclass(frozen=True)
class Batched:
    """Handles the commands of one type that arrive together, in one transaction: one outcome
    per command, in order; an exception in the list refuses that command only."""

    handle_all: Callable[[Sequence[Any], UnitOfWork], Awaitable[Sequence[Any]]]


CommandHandlers = Mapping[type[Command], Handle | Batched]


class CommandBus:
    def __init__(self, handlers: CommandHandlers, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._groups: dict[type[Command], GroupCommit[Command, Any]] = {
            cls: GroupCommit(self._batch_runner(entry))
            for cls, entry in handlers.items()
            if isinstance(entry, Batched)
        }

    async def send(self, command: Command) -> Any:
        """Run the command's handler; its result (or its refusal, raised)."""
        kind = type(command)
        if (group := self._groups.get(kind)) is not None:
            return await group(command)
        handle = self._handlers.get(kind)
        if handle is None or isinstance(handle, Batched):
            raise LookupError(f"no handler for {kind.__name__} in this service")
        return await run_command(handle, command, self._unit_of_work())

    def _batch_runner(
        self, entry: Batched
    ) -> Callable[[Sequence[Command]], Awaitable[Sequence[Any]]]:
        async def run(commands: Sequence[Command]) -> Sequence[Any]:
            return await run_command(entry.handle_all, commands, self._unit_of_work())

        return run


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
