"""Upcasters step stored payloads of old event versions up to the current shape, on load only."""

from datetime import UTC, datetime

from shared.clock import FrozenClock
from shared.db import SqliteDatabase
from shared.eventstore import SqlEventStore
from shared.testing.builders import an_envelope
from shared.testing.sample import Parcel
from shared.unit_of_work import UnitOfWork
from shared.upcasting import upcast

STEPS = {
    ("ParcelWeighed", 1): lambda data: {"grams": round(data["kilograms"] * 1000)},
    ("ParcelWeighed", 2): lambda data: {**data, "scale": "unknown"},
}


def test_an_old_payload_is_stepped_through_every_later_version() -> None:
    assert upcast(STEPS, "ParcelWeighed", 1, {"kilograms": 1.25}) == {
        "grams": 1250,
        "scale": "unknown",
    }


def test_a_payload_at_the_current_version_is_returned_unchanged() -> None:
    assert upcast(STEPS, "ParcelWeighed", 3, {"grams": 5, "scale": "A"}) == {
        "grams": 5,
        "scale": "A",
    }


def test_event_types_without_upcasters_pass_through() -> None:
    assert upcast(STEPS, "ParcelLabelled", 1, {"label": "x"}) == {"label": "x"}


async def test_an_aggregate_loads_from_events_stored_at_an_old_version(
    sqlite_db: SqliteDatabase,
) -> None:
    store = SqlEventStore()
    old = an_envelope(event_type="ParcelWeighed", event_version=1, data={"kilograms": 2.5})
    async with sqlite_db.transaction() as conn:
        await store.append(
            conn,
            stream_id=Parcel.stream_id_for(old.aggregate_id),
            stream_type="parcel",
            envelopes=[old],
        )
    uow = UnitOfWork(
        db=sqlite_db,
        store=store,
        source="test",
        topics={},
        projections=(),
        clock=FrozenClock(datetime(2025, 3, 1, tzinfo=UTC)),
    )

    async with uow:
        parcel = await uow.get(Parcel, old.aggregate_id)

    assert parcel is not None
    assert (parcel.grams, parcel.version) == (2500, 1)
