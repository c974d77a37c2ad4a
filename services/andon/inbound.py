"""Tolerant-reader models of what the andon service reacts to."""

from pydantic import BaseModel, ConfigDict


class MessageDeadLettered(BaseModel):
    """Built from a dead-letter record's headers by `shared.deadletter.decode_dead_letter`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    group: str
    reason: str
    error: str
    origin_topic: str
    origin_partition: int
    origin_offset: int
    event_type: str | None = None
    payload_excerpt: str = ""
