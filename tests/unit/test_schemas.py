"""The event contract: schemas/ is current, and every example fits its producer and consumers."""

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from schemas import generate
from schemas.layout import (
    ASYNCAPI_FILE,
    ENVELOPE_FILE,
    EVENTS_DIR,
    EXAMPLES_DIR,
    ID_PREFIX,
    example_file,
    published_events,
    schema_file,
)
from services.order.events import OrderPlaced
from services.roster import ALL_SERVICES, all_topics
from shared.bus import Record
from shared.consumer import Route
from shared.deadletter import DEAD_LETTERED, dead_letter, decode_dead_letter, dlq_topic
from shared.envelope import Envelope
from shared.messages import DomainEvent

SCHEMAS = generate.ROOT
# Every published event, on the service's own topic or an outward one (published_elsewhere).
PUBLISHED = [(s.name, event) for s in ALL_SERVICES for event, _ in published_events(s)]
TOPIC_OF = {
    (s.name, event.event_type()): topic
    for s in ALL_SERVICES
    for event, topic in published_events(s)
}
EXAMPLES = sorted(
    p.relative_to(SCHEMAS).as_posix() for p in (SCHEMAS / EXAMPLES_DIR).rglob("*.json")
)
CONSUMED = [
    (consumer.name, event_type, route)
    for consumer in ALL_SERVICES
    for subscription in consumer.subscriptions
    for event_type, route in subscription.routes.items()
]


def _load(path: str) -> Any:
    return json.loads((SCHEMAS / path).read_text(encoding="utf-8"))


def _validator(path: str) -> Draft202012Validator:
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _name(service: str, event: type[DomainEvent]) -> str:
    return f"{service}/{event.event_type()}"


def _consumer_routes(event_type: str) -> list[tuple[str, Route]]:
    return [(consumer, route) for consumer, routed, route in CONSUMED if routed == event_type]


def _versioned(path: str) -> tuple[str, int]:
    """`examples/order/OrderPlaced.v1.json` -> (`examples/order/OrderPlaced`, 1)."""
    match = re.fullmatch(r"(?P<stem>.+)\.v(?P<version>[0-9]+)\.json", path)
    assert match is not None, f"{path} is not named <EventType>.v<N>.json"
    return match["stem"], int(match["version"])


def test_committed_schemas_are_what_the_generator_produces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Fails after a change to an events.py until `make schemas` ran and its output is committed."""
    assert generate.differences() == []
    assert generate.main(["--check"]) == 0
    assert capsys.readouterr().out == "schemas/ is up to date\n"


def test_the_check_lists_stale_missing_and_extra_files(tmp_path: Path) -> None:
    generate.write(tmp_path)
    (tmp_path / ENVELOPE_FILE).write_text("{}\n")
    (tmp_path / ASYNCAPI_FILE).unlink()
    (tmp_path / EVENTS_DIR / "order" / "OrderShredded.v1.json").write_text("{}\n")

    problems = generate.differences(tmp_path)

    assert problems == [
        f"missing: {ASYNCAPI_FILE}",
        f"stale: {ENVELOPE_FILE}",
        f"extra: {EVENTS_DIR}/order/OrderShredded.v1.json",
    ]


def test_the_schema_of_a_superseded_version_stays_when_an_event_moves_to_v2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate.write(tmp_path)
    monkeypatch.setattr(OrderPlaced, "event_version", 2)

    changes = generate.write(tmp_path)

    assert f"wrote: {EVENTS_DIR}/order/OrderPlaced.v2.json" in changes
    assert (tmp_path / EVENTS_DIR / "order" / "OrderPlaced.v1.json").is_file()
    assert generate.differences(tmp_path) == []


@pytest.mark.parametrize(("service", "event"), PUBLISHED, ids=[_name(*p) for p in PUBLISHED])
def test_every_published_event_has_a_schema_and_an_example(
    service: str, event: type[DomainEvent]
) -> None:
    assert (SCHEMAS / schema_file(service, event)).is_file()
    assert (SCHEMAS / example_file(service, event)).is_file()


@pytest.mark.parametrize(("service", "event"), PUBLISHED, ids=[_name(*p) for p in PUBLISHED])
def test_every_schema_names_the_topic_its_event_is_published_on(
    service: str, event: type[DomainEvent]
) -> None:
    topic = TOPIC_OF[(service, event.event_type())]

    description = _load(schema_file(service, event))["description"]

    assert f"published by the {service} service on {topic}." in description


def test_every_example_is_of_an_event_some_service_publishes() -> None:
    """Examples of superseded versions may stay; examples of unknown events may not."""
    current = dict(_versioned(example_file(service, event)) for service, event in PUBLISHED)

    strays = [
        path for path in EXAMPLES if current.get(_versioned(path)[0], 0) < _versioned(path)[1]
    ]

    assert EXAMPLES
    assert strays == []


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_example_is_a_valid_envelope_with_valid_data(path: str) -> None:
    example = _load(path)
    envelope = Envelope.from_cloudevent(example)
    named = f"{envelope.source}/{envelope.event_type}.v{example['dataversion']}.json"

    assert _errors(_validator(ENVELOPE_FILE), example) == []
    assert path == f"{EXAMPLES_DIR}/{named}", "file name disagrees with source/type/dataversion"
    assert example["dataschema"] == f"{ID_PREFIX}schemas/{EVENTS_DIR}/{named}"
    assert _errors(_validator(f"{EVENTS_DIR}/{named}"), example["data"]) == []


@pytest.mark.parametrize(("service", "event"), PUBLISHED, ids=[_name(*p) for p in PUBLISHED])
def test_every_example_parses_with_the_producers_event_class(
    service: str, event: type[DomainEvent]
) -> None:
    example = _load(example_file(service, event))

    envelope = Envelope.from_cloudevent(example)
    parsed = event.model_validate(example["data"])

    assert envelope.to_cloudevent() == example, "not the exact shape the producer writes"
    assert parsed.model_dump(mode="json") == example["data"]


def test_the_examples_tell_one_consistent_story() -> None:
    """Unique event ids; an example caused by another example's event belongs to the same
    flow (correlation id) and happened at or after its cause."""
    examples = [_load(path) for path in EXAMPLES]
    by_id = {example["id"]: example for example in examples}

    inconsistent = [
        f"{example['type']} <- {cause['type']}"
        for example in examples
        if (cause := by_id.get(example.get("causationid"))) is not None
        and (
            cause["correlationid"] != example["correlationid"]
            or datetime.fromisoformat(cause["time"]) > datetime.fromisoformat(example["time"])
        )
    ]

    assert len(by_id) == len(examples), "two examples share an event id"
    assert inconsistent == []


def _example_consumers() -> Iterator[tuple[str, str, Route]]:
    for path in EXAMPLES:
        for consumer, route in _consumer_routes(Envelope.from_cloudevent(_load(path)).event_type):
            yield path, consumer, route


EXAMPLE_CONSUMERS = list(_example_consumers())


@pytest.mark.parametrize(
    ("path", "consumer", "route"),
    EXAMPLE_CONSUMERS,
    ids=[f"{path}->{consumer}" for path, consumer, _ in EXAMPLE_CONSUMERS],
)
def test_every_example_parses_with_every_consumers_inbound_model(
    path: str, consumer: str, route: Route
) -> None:
    """A producer change that breaks a consumer's tolerant reader fails here, not in production."""
    data = _load(path)["data"]

    try:
        route.model.model_validate(data)
    except ValidationError as error:
        pytest.fail(f"the {consumer} service cannot read {path}: {error}")


def test_every_consumed_event_has_an_example_to_check_its_consumers_against() -> None:
    checked = {
        (consumer, Envelope.from_cloudevent(_load(path)).event_type)
        for path, consumer, _ in EXAMPLE_CONSUMERS
    }

    unchecked = [
        (consumer, event_type)
        for consumer, event_type, _ in CONSUMED
        if event_type != DEAD_LETTERED and (consumer, event_type) not in checked
    ]

    assert unchecked == []


def test_every_event_type_some_service_consumes_is_published_by_some_service() -> None:
    """MessageDeadLettered is the documented exception: decoded from DLQ headers, never sent."""
    published = {event.event_type() for _, event in PUBLISHED}
    dead_letter_readers = [
        subscription
        for service in ALL_SERVICES
        for subscription in service.subscriptions
        if DEAD_LETTERED in subscription.routes
    ]

    unpublished = [
        f"{consumer} consumes {event_type}"
        for consumer, event_type, _ in CONSUMED
        if event_type not in published and event_type != DEAD_LETTERED
    ]

    assert unpublished == []
    assert DEAD_LETTERED not in published
    for subscription in dead_letter_readers:
        assert subscription.decode is decode_dead_letter
        assert all(topic.endswith(".dlq") for topic in subscription.topics)


def _dead_letter_records() -> Iterator[Record]:
    placed = _load(example_file("order", OrderPlaced))
    envelope = (json.dumps(placed).encode(), placed["correlationid"].encode())
    for value, key in (envelope, (b"\xff{not json", None)):
        failed = Record(topic="order.events", partition=2, offset=41, key=key, value=value)
        message = dead_letter(failed, group="inventory", reason="handler failed", error="Boom")
        yield Record(
            topic=message.topic,
            partition=0,
            offset=7,
            key=message.key.encode(),
            value=message.value,
            headers=message.headers,
        )


@pytest.mark.parametrize("record", list(_dead_letter_records()), ids=["envelope", "garbage"])
def test_a_decoded_dead_letter_validates_into_every_inbound_model_that_routes_it(
    record: Record,
) -> None:
    decoded = decode_dead_letter(record)
    routes = _consumer_routes(DEAD_LETTERED)

    for _, route in routes:
        route.model.model_validate(decoded.data)

    assert routes, "nobody reads dead letters: the andon route is gone"
    assert _errors(_validator(ENVELOPE_FILE), decoded.to_cloudevent()) == []


def test_the_asyncapi_document_has_a_channel_for_every_topic() -> None:
    document = json.loads((SCHEMAS / ASYNCAPI_FILE).read_text(encoding="utf-8"))

    addresses = {channel["address"] for channel in document["channels"].values()}

    assert document["asyncapi"] == "3.0.0"
    assert set(all_topics()) <= addresses


def test_every_consumer_group_has_a_dead_letter_channel() -> None:
    addresses = {channel["address"] for channel in _load(ASYNCAPI_FILE)["channels"].values()}

    groups = [service.name for service in ALL_SERVICES if service.subscriptions]

    assert [group for group in groups if dlq_topic(group) not in addresses] == []


@pytest.mark.parametrize(("service", "event"), PUBLISHED, ids=[_name(*p) for p in PUBLISHED])
def test_every_published_event_is_sent_by_its_producer_on_its_topic(
    service: str, event: type[DomainEvent]
) -> None:
    document = _load(ASYNCAPI_FILE)
    channels = document["channels"]
    message = f"/messages/{event.event_type()}"

    sent_on = [
        channels[operation["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        for operation in document["operations"].values()
        if operation["action"] == "send"
        and operation["x-gapless-service"] == service
        and any(ref["$ref"].endswith(message) for ref in operation["messages"])
    ]

    assert sent_on == [TOPIC_OF[(service, event.event_type())]]


def test_every_reference_in_the_asyncapi_document_resolves() -> None:
    document = _load(ASYNCAPI_FILE)

    unresolved = [ref for ref in _references(document) if not _resolves(document, ref)]

    assert unresolved == []


def test_every_route_is_a_receive_operation_in_the_asyncapi_document() -> None:
    operations = _load(ASYNCAPI_FILE)["operations"].values()
    received = {
        (operation["x-gapless-service"], ref["$ref"].rsplit("/", 1)[1])
        for operation in operations
        if operation["action"] == "receive"
        for ref in operation["messages"]
    }

    missing = [
        (consumer, event_type)
        for consumer, event_type, _ in CONSUMED
        if (consumer, "DeadLetter" if event_type == DEAD_LETTERED else event_type) not in received
    ]

    assert missing == []


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _resolves(document: Any, ref: str) -> bool:
    if not ref.startswith("#/"):
        return (SCHEMAS / ref).is_file()
    node = document
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_the_readme_lists_every_topic_and_every_published_event() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")

    unlisted = [
        name
        for name in [*all_topics(), *(event.event_type() for _, event in PUBLISHED)]
        if f"`{name}`" not in readme
    ]

    assert unlisted == []
