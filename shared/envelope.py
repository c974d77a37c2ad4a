"""CloudEvents 1.0 envelope (structured JSON mode) around every event that leaves a service.

On the wire `type` is reverse-DNS (`io.gapless.OrderPlaced`) and `source` an absolute URI
(`urn:gapless:service:order`), as the specification recommends; inside a service they stay the
short names the code routes on. Records written before that (plain `OrderPlaced`, relative
`order`) are still on topics, in the local log and in outboxes: `upcast_cloudevent` reads them.
"""

import json
import re
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from shared import fastjson

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
# The Kafka binding's header for structured mode.
CONTENT_TYPE_HEADER = "content-type"
# Our own header beside it (not a ce_* one, so the record stays plainly structured): the event's
# type, so a consumer can skip what no route takes without parsing the value.
TYPE_HEADER = "event-type"
TYPE_PREFIX = "io.gapless."
SOURCE_PREFIX = "urn:gapless:service:"


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
        document = {
            "specversion": SPEC_VERSION,
            "id": str(self.event_id),
            "type": TYPE_PREFIX + self.event_type,
            "source": SOURCE_PREFIX + self.source,
            "subject": self.aggregate_id,
            "time": self.occurred_at.isoformat(),
            "datacontenttype": "application/json",
            "dataschema": self.dataschema,
            "dataversion": self.event_version,
            "aggregateversion": self.aggregate_version,
            "correlationid": str(self.correlation_id),
            "data": self.data,
        }
        # An absent attribute, not null: CloudEvents has no null attribute values.
        if self.causation_id is not None:
            document["causationid"] = str(self.causation_id)
        return document

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
        document = upcast_cloudevent(document)
        try:
            return cls(
                event_id=document["id"],
                event_type=_strip(document["type"], TYPE_PREFIX),
                event_version=document.get("dataversion", 1),
                source=_strip(document["source"], SOURCE_PREFIX),
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


def upcast_cloudevent(document: dict[str, Any]) -> dict[str, Any]:
    """The current wire form of a record written by release 0.1 (short `type`, relative `source`,
    `causationid: null`); a current record comes back unchanged.

    Only our own short forms are rewritten: another producer's reverse-DNS type or URI source
    is left as it is.
    """
    event_type, source = document.get("type"), document.get("source")
    legacy_type = isinstance(event_type, str) and _LEGACY_TYPE.fullmatch(event_type) is not None
    legacy_source = isinstance(source, str) and _LEGACY_SOURCE.fullmatch(source) is not None
    if not (legacy_type or legacy_source or document.get("causationid", "") is None):
        return document
    upcast = {k: v for k, v in document.items() if not (k == "causationid" and v is None)}
    if legacy_type:
        upcast["type"] = f"{TYPE_PREFIX}{event_type}"
    if legacy_source:
        upcast["source"] = f"{SOURCE_PREFIX}{source}"
    return upcast


# Release 0.1's forms: a bare event class name, a bare service or consumer-group name.
_LEGACY_TYPE = re.compile(r"[A-Z][A-Za-z0-9]*")
_LEGACY_SOURCE = re.compile(r"[a-z][a-z0-9_.-]*")


def peek_event_type(raw: bytes) -> str | None:
    """The short event type of a record's value, if it is a readable CloudEvent (for reports on
    records that failed, whose value may be anything)."""
    try:
        document = fastjson.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return None
    return str(_strip(document["type"], TYPE_PREFIX))


def _strip(value: Any, prefix: str) -> Any:
    return value[len(prefix) :] if isinstance(value, str) and value.startswith(prefix) else value


def parse_time(value: datetime | str) -> datetime:
    """Timestamps come back as datetime from PostgreSQL and as ISO text from SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
