"""The AsyncAPI 3.0.0 document: who sends and who receives what, on which Kafka topic."""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from schemas.layout import ENVELOPE_FILE, ID_PREFIX, UUID_SCHEMA, published_events, schema_file
from shared import deadletter
from shared.consumer import Route
from shared.envelope import (
    CONTENT_TYPE,
    CONTENT_TYPE_HEADER,
    SOURCE_PREFIX,
    TYPE_HEADER,
    TYPE_PREFIX,
)
from shared.messages import DomainEvent
from shared.runtime import ServiceDefinition
from shared.settings import KafkaSettings

Json = dict[str, Any]

SERVER = "kafka"
KAFKA_BINDING = "0.5.0"
DEAD_LETTER = "DeadLetter"
FLOW = "flow"

_EVENT_HEADERS: Json = {
    "type": "object",
    "description": (
        "Kafka record headers the outbox relay sets on every event: CloudEvents structured "
        "content mode (no ce_* headers), and the event's type for consumers that skip what they "
        "do not route without parsing the value."
    ),
    "required": [CONTENT_TYPE_HEADER, TYPE_HEADER],
    "properties": {
        CONTENT_TYPE_HEADER: {"const": CONTENT_TYPE},
        TYPE_HEADER: {"type": "string", "description": "The envelope's `type`."},
    },
    "additionalProperties": False,
}

_DEAD_LETTER_HEADERS: Json = {
    "type": "object",
    "description": (
        "Why and where the record failed (shared.deadletter), plus the original record's "
        "headers (content-type, event-type) copied unchanged."
    ),
    "required": [
        deadletter.REASON,
        deadletter.ERROR,
        deadletter.GROUP,
        deadletter.ORIGIN_TOPIC,
        deadletter.ORIGIN_PARTITION,
        deadletter.ORIGIN_OFFSET,
        deadletter.FAILED_AT,
    ],
    "properties": {
        deadletter.REASON: {
            "type": "string",
            "maxLength": 2000,
            "description": (
                "Why: `malformed envelope: ...`, `<Type> fails its schema: ...` "
                "or `handler failed: ...` (after the retries)."
            ),
        },
        deadletter.ERROR: {
            "type": "string",
            "description": "Error class: MalformedEnvelopeError, SchemaValidationError or "
            "the handler's exception.",
        },
        deadletter.GROUP: {"type": "string", "description": "The consumer group that failed."},
        deadletter.ORIGIN_TOPIC: {"type": "string", "description": "Where the record came from."},
        deadletter.ORIGIN_PARTITION: {"type": "string", "pattern": "^-?[0-9]+$"},
        deadletter.ORIGIN_OFFSET: {"type": "string", "pattern": "^-?[0-9]+$"},
        deadletter.FAILED_AT: {"type": "string", "format": "date-time"},
        CONTENT_TYPE_HEADER: {"type": "string"},
    },
    "additionalProperties": {"type": "string"},
}

_KEY: Json = {
    **UUID_SCHEMA,
    "description": (
        "The correlation id (for order flows, the order id): every event of one order goes to "
        "one partition and keeps its order."
    ),
}


def document(services: Sequence[ServiceDefinition]) -> Json:
    """AsyncAPI 3.0.0: one channel per topic events are published on and per dead-letter topic."""
    groups = [s.name for s in services if s.subscriptions]
    senders = _senders(services)
    names = [s.name for s in services]
    return {
        "asyncapi": "3.0.0",
        "id": f"{ID_PREFIX}asyncapi",
        "info": {
            "title": "gapless events",
            "version": "1.0.0",
            "description": (
                f"Every hand-off between the {', '.join(names[:-1])} and {names[-1]} services, "
                "and on the outward topics with a warehouse (WMS) or transport (TMS) system, "
                "which the simulator service stands in for. Each event is a CloudEvents 1.0 "
                "envelope keyed by its correlation id. With GAPLESS_NAMESPACE set, topic names "
                "are prefixed `<namespace>.`; embedded mode uses the same names on its local log."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {SERVER: _server()},
        "channels": {**_event_channels(senders, services), **_dead_letter_channels(groups)},
        "operations": {
            **_send_operations(senders, services, groups),
            **_receive_operations(senders, services, groups),
        },
        "components": _components(senders),
    }


# topic -> who publishes which event there: (service, event), in the order of the services.
Senders = dict[str, list[tuple[str, type[DomainEvent]]]]


def _senders(services: Sequence[ServiceDefinition]) -> Senders:
    senders: Senders = {}
    for s in services:
        for event, topic in published_events(s):
            senders.setdefault(topic, []).append((s.name, event))
    return senders


def _server() -> Json:
    return {
        "host": "{bootstrap}",
        "protocol": "kafka",
        "description": "Apache Kafka in scale-out mode.",
        "variables": {
            "bootstrap": {
                "default": KafkaSettings().bootstrap_servers,
                "description": "GAPLESS_KAFKA__BOOTSTRAP_SERVERS",
            }
        },
    }


def _ref(*parts: str) -> Json:
    return {"$ref": "#/" + "/".join(parts)}


def _events_channel(service: str) -> str:
    return f"{service}Events"


def _dead_letter_channel(group: str) -> str:
    return f"{group}DeadLetters"


def _channel(topic: str, services: Sequence[ServiceDefinition]) -> str:
    """`order.events` -> orderEvents; an outward `wms.pick-requests` -> wmsPickRequests."""
    for s in services:
        if topic == s.topic:
            return _events_channel(s.name)
    first, *rest = (word for word in re.split(r"[^A-Za-z0-9]+", topic) if word)
    return first + "".join(word[0].upper() + word[1:] for word in rest)


def _capitalized(name: str) -> str:
    return name[0].upper() + name[1:]


def _own_topic(topic: str, services: Sequence[ServiceDefinition]) -> str | None:
    """The service whose `<name>.events` the topic is, or None for an outward topic."""
    return next((s.name for s in services if s.topic == topic), None)


def _event_channels(senders: Senders, services: Sequence[ServiceDefinition]) -> Json:
    channels: Json = {}
    for topic, sent in senders.items():
        owner = _own_topic(topic, services)
        if owner is not None:
            title = f"{owner} events"
            description = f"The events the {owner} service publishes through its outbox."
        else:
            producers = sorted({service for service, _ in sent})
            title = f"{topic} (outward)"
            description = (
                "Outward topic, read or written by a system outside gapless (a WMS or TMS; "
                "the simulator service stands in for one). Sent here through the outbox by "
                f"{', '.join(producers)}: {', '.join(e.event_type() for _, e in sent)}."
            )
        channels[_channel(topic, services)] = {
            "address": topic,
            "title": title,
            "description": description,
            "servers": [_ref("servers", SERVER)],
            "messages": {
                e.event_type(): _ref("components", "messages", e.event_type()) for _, e in sent
            },
        }
    return channels


def _dead_letter_channels(groups: Sequence[str]) -> Json:
    return {
        _dead_letter_channel(group): {
            "address": deadletter.dlq_topic(group),
            "title": f"{group} dead letters",
            "description": (
                f"Records the {group} consumer group can never process: the original bytes "
                "and key, with the reason in headers. The consumer goes on."
            ),
            "servers": [_ref("servers", SERVER)],
            "messages": {DEAD_LETTER: _ref("components", "messages", DEAD_LETTER)},
        }
        for group in groups
    }


def _operation(action: str, channel: str, messages: Iterable[str], *, service: str) -> Json:
    operation: Json = {
        "action": action,
        "channel": _ref("channels", channel),
        "messages": [_ref("channels", channel, "messages", m) for m in sorted(messages)],
        "x-gapless-service": service,
    }
    if action == "receive":
        group_id = {"type": "string", "enum": [service]}
        operation["bindings"] = {"kafka": {"groupId": group_id, "bindingVersion": KAFKA_BINDING}}
    return operation


def _send_operations(
    senders: Senders, services: Sequence[ServiceDefinition], groups: Sequence[str]
) -> Json:
    operations: Json = {}
    for s in services:
        for topic, sent in senders.items():
            types = [event.event_type() for service, event in sent if service == s.name]
            if not types:
                continue
            channel = _channel(topic, services)
            operation = _operation("send", channel, types, service=s.name)
            if topic == s.topic:
                operation["summary"] = f"The {s.name} service publishes its events (outbox relay)."
                operations[f"{s.name}PublishesEvents"] = operation
            else:
                operation["summary"] = (
                    f"The {s.name} service publishes {', '.join(sorted(types))} on the outward "
                    f"topic {topic} (outbox relay)."
                )
                operations[f"{s.name}Sends{_capitalized(channel)}"] = operation
    for group in groups:
        operation = _operation("send", _dead_letter_channel(group), [DEAD_LETTER], service=group)
        operation["summary"] = f"The {group} consumer group dead-letters what it cannot process."
        operations[f"{group}DeadLetters"] = operation
    return operations


def _receive_operations(
    senders: Senders, services: Sequence[ServiceDefinition], groups: Sequence[str]
) -> Json:
    """Who receives what, derived from each service's subscriptions and routes."""
    operations: Json = {}
    for consumer in services:
        for subscription in consumer.subscriptions:
            for topic in subscription.topics:
                found = _received(topic, subscription.routes, senders, services, groups)
                if found is None:
                    continue
                channel, messages, reacts_to = found
                operation = _operation("receive", channel, messages, service=consumer.name)
                operation["summary"] = (
                    f"The {consumer.name} service (consumer group {consumer.name}) "
                    f"reacts to {', '.join(sorted(reacts_to))}."
                )
                operations[f"{consumer.name}Receives{_capitalized(channel)}"] = operation
    return operations


def _received(
    topic: str,
    routes: Mapping[str, Route],
    senders: Senders,
    services: Sequence[ServiceDefinition],
    groups: Sequence[str],
) -> tuple[str, list[str], list[str]] | None:
    """The channel, its messages a consumer receives, and the event types it routes them as.

    Dead letters are the one message received under another name: the subscription decodes
    each one into a MessageDeadLettered event (shared.deadletter.decode_dead_letter).
    """
    if topic in senders:
        published = {event.event_type() for _, event in senders[topic]}
        messages = [t for t in routes if t in published]
        return (_channel(topic, services), messages, messages) if messages else None
    for group in groups:
        if topic == deadletter.dlq_topic(group) and deadletter.DEAD_LETTERED in routes:
            return _dead_letter_channel(group), [DEAD_LETTER], [deadletter.DEAD_LETTERED]
    return None


def _components(senders: Senders) -> Json:
    messages: Json = {}
    for topic, sent in senders.items():
        for service, event in sent:
            if event.event_type() in messages:
                raise ValueError(f"two services publish an event type {event.event_type()!r}")
            messages[event.event_type()] = _event_message(service, event, topic)
    messages[DEAD_LETTER] = _dead_letter_message()
    return {
        "messages": messages,
        "schemas": {
            "EventHeaders": _EVENT_HEADERS,
            "DeadLetterHeaders": _DEAD_LETTER_HEADERS,
            "CorrelationKey": _KEY,
        },
        "correlationIds": {
            FLOW: {
                "description": "The business flow (the order) the event belongs to.",
                "location": "$message.payload#/correlationid",
            }
        },
    }


def _event_message(service: str, event: type[DomainEvent], topic: str) -> Json:
    name = event.event_type()
    data_of_this_type = {
        "type": "object",
        "properties": {
            "type": {"const": TYPE_PREFIX + name},
            "source": {"const": SOURCE_PREFIX + service},
            "dataversion": {"const": event.event_version},
            "data": {"$ref": f"./{schema_file(service, event)}"},
        },
    }
    return {
        "name": name,
        "title": f"{name} v{event.event_version}",
        "summary": f"Published by the {service} service on {topic}.",
        "contentType": CONTENT_TYPE,
        "correlationId": _ref("components", "correlationIds", FLOW),
        "headers": _ref("components", "schemas", "EventHeaders"),
        "payload": {"allOf": [{"$ref": f"./{ENVELOPE_FILE}"}, data_of_this_type]},
        "bindings": {
            "kafka": {
                "key": _ref("components", "schemas", "CorrelationKey"),
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _dead_letter_message() -> Json:
    return {
        "name": DEAD_LETTER,
        "title": "Dead letter",
        "summary": (
            "The original record, byte for byte, with why it failed in headers. The andon "
            "service reads it as MessageDeadLettered (shared.deadletter.decode_dead_letter)."
        ),
        "contentType": "application/octet-stream",
        "headers": _ref("components", "schemas", "DeadLetterHeaders"),
        "payload": {"description": "Usually a CloudEvents envelope; possibly the malformed bytes."},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record's key."},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
