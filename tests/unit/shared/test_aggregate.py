"""Aggregate base: state is the fold of its events; decisions record new events once."""

import pytest

from shared.errors import DomainError
from shared.testing.sample import Parcel, ParcelLabelled, ParcelWeighed


def test_rehydrating_folds_the_history_into_state_and_version() -> None:
    history = [ParcelWeighed(grams=500), ParcelLabelled(label="fragile"), ParcelWeighed(grams=250)]

    parcel = Parcel.rehydrate("p-1", history)

    assert (parcel.grams, parcel.labels, parcel.version) == (750, ["fragile"], 3)
    assert not parcel.has_pending_events


def test_a_decision_applies_its_event_at_once_and_keeps_it_pending() -> None:
    parcel = Parcel.rehydrate("p-1", [ParcelWeighed(grams=500)])

    parcel.weigh(100)

    assert (parcel.grams, parcel.version) == (600, 2)
    assert parcel.collect_events() == [ParcelWeighed(grams=100)]


def test_collecting_events_hands_them_out_only_once() -> None:
    parcel = Parcel.received("p-1")
    parcel.label("fragile")

    parcel.collect_events()

    assert parcel.collect_events() == []
    assert not parcel.has_pending_events


def test_a_refused_decision_records_nothing() -> None:
    parcel = Parcel.received("p-1")

    with pytest.raises(DomainError):
        parcel.weigh(0)

    assert (parcel.version, parcel.collect_events()) == (0, [])


def test_stored_data_is_read_back_into_the_event_class_named_by_its_type() -> None:
    assert Parcel.event_from("ParcelLabelled", {"label": "x"}) == ParcelLabelled(label="x")


def test_the_stream_id_names_the_aggregate_type() -> None:
    assert Parcel.received("p-1").stream_id == Parcel.stream_id_for("p-1") == "parcel:p-1"
