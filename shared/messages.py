"""Base message types: domain events (facts that happened) and commands (requests to act)."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DomainEvent(Message):
    """Something that happened. Past-tense class name; payload only, no envelope fields."""

    event_version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


class Command(Message):
    """A request to change state. Imperative class name; exactly one handler."""
