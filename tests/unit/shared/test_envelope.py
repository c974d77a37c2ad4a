"""CloudEvents 1.0 envelope: round trips, and poison input refused with MalformedEnvelopeError."""

import json
from datetime import datetime
from uuid import uuid4

import pytest

from shared.envelope import Envelope, MalformedEnvelopeError, upcast_cloudevent
from shared.testing.builders import an_envelope

REQUIRED_ATTRIBUTES = ["specversion", "id", "type", "source", "subject", "time", "correlationid"]


def test_an_envelope_survives_a_round_trip_through_cloudevents_json() -> None:
    envelope = an_envelope(data={"grams": 1200, "labels": ["Zürich ✓"]}, causation_id=uuid4())

    decoded = Envelope.from_json(envelope.to_json())

    assert decoded == envelope


def test_the_json_carries_the_cloudevents_attributes_and_our_extensions() -> None:
    envelope = an_envelope(event_type="ParcelWeighed", aggregate_version=7, causation_id=uuid4())

    document = json.loads(envelope.to_json())

    assert document["specversion"] == "1.0"
    assert document["id"] == str(envelope.event_id)
    assert document["type"] == "io.gapless.ParcelWeighed"
    assert document["source"] == f"urn:gapless:service:{envelope.source}"
    assert document["subject"] == envelope.aggregate_id
    assert datetime.fromisoformat(document["time"]) == envelope.occurred_at
    assert document["datacontenttype"] == "application/json"
    assert document["dataschema"] == "urn:gapless:schemas/events/test/ParcelWeighed.v1.json"
    assert document["correlationid"] == str(envelope.correlation_id)
    assert document["causationid"] == str(envelope.causation_id)
    assert document["aggregateversion"] == 7
    assert document["data"] == envelope.data


def test_an_envelope_without_a_cause_round_trips_with_causation_none() -> None:
    envelope = an_envelope(causation_id=None)

    assert "causationid" not in envelope.to_cloudevent(), "CloudEvents has no null attributes"
    assert Envelope.from_json(envelope.to_json()).causation_id is None


def test_a_record_written_by_release_0_1_reads_as_the_same_envelope() -> None:
    """0.1 wrote a bare type, a relative source and `causationid: null`: still on topics, in the
    local log and in outboxes, so they must keep reading."""
    envelope = an_envelope(event_type="ParcelWeighed", causation_id=None)
    legacy = envelope.to_cloudevent() | {
        "type": "ParcelWeighed",
        "source": envelope.source,
        "causationid": None,
    }

    assert upcast_cloudevent(legacy) == envelope.to_cloudevent()
    assert Envelope.from_json(json.dumps(legacy)) == envelope


def test_another_producers_reverse_dns_type_and_uri_source_are_left_alone() -> None:
    document = an_envelope().to_cloudevent() | {
        "type": "com.example.wms.Picked",
        "source": "https://wms.example.com/sites/3",
    }

    assert upcast_cloudevent(document) == document
    decoded = Envelope.from_json(json.dumps(document))
    assert (decoded.event_type, decoded.source) == (document["type"], document["source"])


def test_the_partition_key_is_the_correlation_id_so_one_order_keeps_its_order() -> None:
    envelope = an_envelope()

    assert envelope.partition_key == str(envelope.correlation_id)


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b"", "[1, 2"])
def test_bytes_that_are_not_json_are_malformed(raw: bytes | str) -> None:
    with pytest.raises(MalformedEnvelopeError, match="not JSON"):
        Envelope.from_json(raw)


@pytest.mark.parametrize("document", [[], "text", 42, None])
def test_json_that_is_not_an_object_is_malformed(document: object) -> None:
    with pytest.raises(MalformedEnvelopeError, match="not a JSON object"):
        Envelope.from_json(json.dumps(document))


@pytest.mark.parametrize("attribute", [*REQUIRED_ATTRIBUTES, "data"])
def test_an_envelope_missing_a_required_attribute_is_malformed(attribute: str) -> None:
    document = an_envelope().to_cloudevent()
    del document[attribute]

    with pytest.raises(MalformedEnvelopeError):
        Envelope.from_json(json.dumps(document))


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("specversion", "0.3"),
        ("id", "not-a-uuid"),
        ("time", "2025-03-01T10:00:00"),
        ("time", "yesterday"),
        ("correlationid", 12),
        ("data", "a string"),
        ("aggregateversion", "seven"),
    ],
)
def test_an_envelope_with_an_invalid_attribute_is_malformed(attribute: str, value: object) -> None:
    document = an_envelope().to_cloudevent()
    document[attribute] = value

    with pytest.raises(MalformedEnvelopeError):
        Envelope.from_json(json.dumps(document))


def test_unknown_extension_attributes_are_tolerated() -> None:
    envelope = an_envelope()
    document = envelope.to_cloudevent() | {"traceparent": "00-abc-def-01"}

    assert Envelope.from_json(json.dumps(document)) == envelope
