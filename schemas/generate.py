"""Regenerate the contract in schemas/ from the producers' events.py (`make schemas`).

Generated, never edited by hand: events/<service>/<EventType>.v<N>.json, envelope.v1.json and
asyncapi.json. Written by hand: README.md and examples/. `python -m schemas.generate --check`
writes nothing and exits 1, listing the files that are stale, missing or extra.
"""

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from schemas import asyncapi
from schemas.layout import (
    ASYNCAPI_FILE,
    DIALECT,
    ENVELOPE_FILE,
    EVENTS_DIR,
    ID_PREFIX,
    UUID_SCHEMA,
    published_events,
    schema_file,
)
from services.roster import ALL_SERVICES
from shared.envelope import SOURCE_PREFIX, SPEC_VERSION, TYPE_PREFIX
from shared.messages import DomainEvent
from shared.runtime import ServiceDefinition

Json = dict[str, Any]

ROOT = Path(__file__).resolve().parent
_VERSIONED = re.compile(r"^(?P<stem>.+)\.v(?P<version>[0-9]+)\.json$")

ENVELOPE_SCHEMA: Json = {
    "$schema": DIALECT,
    "$id": f"{ID_PREFIX}schemas/{ENVELOPE_FILE}",
    "title": "CloudEvents envelope",
    "description": (
        "One event in CloudEvents 1.0 structured JSON mode (application/cloudevents+json), "
        "exactly as shared.envelope.Envelope.to_cloudevent writes it. `data` is the payload; "
        "its JSON Schema is schemas/events/<service>/<Type>.v<dataversion>.json, where `type` is "
        "io.gapless.<Type> and `source` urn:gapless:service:<service>."
    ),
    "type": "object",
    "required": [
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "data",
        "dataversion",
        "aggregateversion",
        "correlationid",
    ],
    "properties": {
        "specversion": {"const": SPEC_VERSION, "description": "CloudEvents version."},
        "id": {**UUID_SCHEMA, "description": "Unique per event; consumers deduplicate on it."},
        "source": {
            "type": "string",
            "format": "uri",
            "pattern": f"^{re.escape(SOURCE_PREFIX)}[a-z][a-z0-9_.-]*$",
            "description": "The producing service as an absolute URI: urn:gapless:service:order.",
        },
        "type": {
            "type": "string",
            "pattern": f"^{re.escape(TYPE_PREFIX)}[A-Z][A-Za-z0-9]*$",
            "description": "Reverse-DNS event type: a past-tense fact such as "
            "io.gapless.OrderPlaced.",
        },
        "subject": {
            "type": "string",
            "minLength": 1,
            "description": "Id of the aggregate that recorded it (order id, SKU, customer, pull).",
        },
        "time": {
            "type": "string",
            "format": "date-time",
            "description": "When the event was recorded (RFC 3339 with an offset).",
        },
        "datacontenttype": {"const": "application/json"},
        "dataschema": {
            "type": "string",
            "format": "uri",
            "description": "urn:gapless:schemas/events/<service>/<Type>.v<dataversion>.json,"
            " the $id of the event's schema in this repository.",
        },
        "dataversion": {
            "type": "integer",
            "minimum": 1,
            "description": "Extension: major version of the data schema.",
        },
        "aggregateversion": {
            "type": "integer",
            "minimum": 0,
            "description": "Extension: the aggregate's version after this event (0: none).",
        },
        "correlationid": {
            **UUID_SCHEMA,
            "description": "Extension: the business flow (the order); also the Kafka key.",
        },
        "causationid": {
            **UUID_SCHEMA,
            "description": "Extension: id of the event that caused this one; absent for a command.",
        },
        "data": {"type": "object", "description": "The event payload."},
    },
    # CloudEvents attribute names: lower-case ASCII letters and digits, at most 20 characters.
    "propertyNames": {"pattern": "^[a-z0-9]{1,20}$"},
}


def event_schema(service: str, event: type[DomainEvent], topic: str) -> Json:
    """The JSON Schema of an event's `data`, from the producer's pydantic model."""
    return _data_schema(service, event, f"published by the {service} service on {topic}.")


def webhook_event_schema(service: str, event: type[DomainEvent]) -> Json:
    """The same for an event POSTed to subscribers' webhook URLs (no topic carries it)."""
    where = f"POSTed by the {service} service to each subscriber's webhook URL (README.md)."
    return _data_schema(service, event, where)


def _data_schema(service: str, event: type[DomainEvent], sent: str) -> Json:
    generated = event.model_json_schema()
    where = f"`data` of {event.event_type()} v{event.event_version}, {sent}"
    docstring = generated.get("description")
    return {
        **generated,
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}schemas/{schema_file(service, event)}",
        "title": event.event_type(),
        "description": f"{where} {docstring}" if docstring else where,
    }


def dumps(document: Json) -> str:
    """Stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def render(services: Sequence[ServiceDefinition] = ALL_SERVICES) -> dict[str, str]:
    """Every generated file, by path relative to schemas/."""
    files = {
        ENVELOPE_FILE: dumps(ENVELOPE_SCHEMA),
        ASYNCAPI_FILE: dumps(asyncapi.document(services)),
    }
    for service in services:
        for event, topic in published_events(service):
            schema = event_schema(service.name, event, topic)
            files[schema_file(service.name, event)] = dumps(schema)
        for event in service.webhook_events:
            schema = webhook_event_schema(service.name, event)
            files[schema_file(service.name, event)] = dumps(schema)
    return files


def differences(root: Path = ROOT) -> list[str]:
    """What `--check` reports: `stale: path`, `missing: path` and `extra: path` lines."""
    expected = render()
    problems: list[str] = []
    for path, text in sorted(expected.items()):
        target = root / path
        if not target.is_file():
            problems.append(f"missing: {path}")
        elif target.read_bytes() != text.encode():
            problems.append(f"stale: {path}")
    return problems + [f"extra: {path}" for path in _extra(root, expected)]


def write(root: Path = ROOT) -> list[str]:
    """Bring the generated files up to date; returns what was written or removed."""
    expected = render()
    changes: list[str] = []
    for path, text in sorted(expected.items()):
        target = root / path
        if not target.is_file() or target.read_bytes() != text.encode():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode())
            changes.append(f"wrote: {path}")
    for path in _extra(root, expected):
        (root / path).unlink()
        changes.append(f"removed: {path}")
    return changes


def _extra(root: Path, expected: Iterable[str]) -> list[str]:
    """Files under events/ that nothing generates, except schemas of superseded versions.

    A v1 schema stays after its event moves to v2: it documents the messages still on the
    topics and in the event stores, which consumers and upcasters must keep reading.
    """
    wanted = set(expected)
    current: dict[str, int] = {}
    for path in wanted:
        if path.startswith(f"{EVENTS_DIR}/") and (match := _VERSIONED.match(path)):
            current[match["stem"]] = int(match["version"])
    found = sorted(
        p.relative_to(root).as_posix() for p in (root / EVENTS_DIR).rglob("*") if p.is_file()
    )
    return [p for p in found if p not in wanted and not _superseded(p, current)]


def _superseded(path: str, current: Mapping[str, int]) -> bool:
    match = _VERSIONED.match(path)
    return match is not None and int(match["version"]) < current.get(match["stem"], 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m schemas.generate", description="Regenerate schemas/ from events.py."
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if schemas/ is out of date"
    )
    if parser.parse_args(argv).check:
        problems = differences()
        if problems:
            listing = "".join(f"  {problem}\n" for problem in problems)
            sys.stderr.write(f"schemas/ is out of date; run `make schemas`:\n{listing}")
            return 1
        sys.stdout.write("schemas/ is up to date\n")
        return 0
    changes = write()
    sys.stdout.write("".join(f"{change}\n" for change in changes) or "schemas/ is up to date\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
