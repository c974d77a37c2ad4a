"""CloudEvents 1.0 envelope (structured JSON mode) around every event that leaves a service."""

import json
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from shared import fastjson

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"


class MalformedEnvelopeError(ValueError):
    """The bytes on a topic are not a CloudEvents envelope we can read: a poison message."""


class Envelope(BaseModel):
    """One event with its routing and lineage; maps 1:1 onto CloudEvents attributes.

    CloudEvents: id=event_id, type=event_type, source, subject=aggregate_id, time=occurred_at;
    extensions: correlationid, causationid, aggregateversion, dataversion.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str
    event_version: int
    source: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: AwareDatetime
    correlation_id: UUID
    causation_id: UUID | None
    data: dict[str, Any]

    @property
    def partition_key(self) -> str:
        """All events of one business flow (one order) share a key, so they keep their order."""
        return str(self.correlation_id)

    @property
    def dataschema(self) -> str:
        # CloudEvents wants an absolute URI: the `$id` of the JSON Schema in schemas/.
        return (
            f"urn:gapless:schemas/events/{self.source}/{self.event_type}.v{self.event_version}.json"
        )

    def to_cloudevent(self) -> dict[str, Any]:
        return {
            "specversion": SPEC_VERSION,
            "id": str(self.event_id),
            "type": self.event_type,
            "source": self.source,
            "subject": self.aggregate_id,
            "time": self.occurred_at.isoformat(),
            "datacontenttype": "application/json",
            "dataschema": self.dataschema,
            "dataversion": self.event_version,
            "aggregateversion": self.aggregate_version,
            "correlationid": str(self.correlation_id),
            "causationid": str(self.causation_id) if self.causation_id else None,
            "data": self.data,
        }

    def to_json_text(self) -> str:
        return fastjson.dumps(self.to_cloudevent())

    def to_json(self) -> bytes:
        return self.to_json_text().encode()

    @classmethod
    def from_cloudevent(cls, document: Any) -> Self:
        if not isinstance(document, dict):
            raise MalformedEnvelopeError("envelope is not a JSON object")
        if document.get("specversion") != SPEC_VERSION:
            raise MalformedEnvelopeError(f"unsupported specversion {document.get('specversion')!r}")
        try:
            return cls(
                event_id=document["id"],
                event_type=document["type"],
                event_version=document.get("dataversion", 1),
                source=document["source"],
                aggregate_id=document["subject"],
                aggregate_version=document.get("aggregateversion", 0),
                occurred_at=document["time"],
                correlation_id=document["correlationid"],
                causation_id=document.get("causationid"),
                data=document["data"],
            )
        except KeyError as missing:
            raise MalformedEnvelopeError(f"envelope lacks attribute {missing}") from None
        except ValidationError as invalid:
            raise MalformedEnvelopeError(f"envelope attributes invalid: {invalid}") from None

    @classmethod
    def from_json(cls, raw: bytes | str) -> Self:
        try:
            document = fastjson.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedEnvelopeError(f"not JSON: {error}") from None
        return cls.from_cloudevent(document)


def parse_time(value: datetime | str) -> datetime:
    """Timestamps come back as datetime from PostgreSQL and as ISO text from SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
