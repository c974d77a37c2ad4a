"""Simulator domain: due times from the delays, pause, lost tasks decided by the roll."""

import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.simulator.domain import SimulatorSettings, Task, task_id_for
from services.simulator.events import (
    Shipped,
    ShipTo,
    SimulatorTuned,
    TaskAmended,
    TaskKind,
    TaskReceived,
)

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def settings(**changes: object) -> SimulatorSettings:
    tuned = SimulatorSettings()
    tuned.tune(tuned.current.model_copy(update=changes))
    tuned.collect_events()
    return tuned


def a_task(kind: TaskKind, current: SimulatorSettings, *, roll: float = 0.5) -> Task:
    shipment_id = uuid4()
    task = Task(task_id_for(kind, shipment_id))
    task.receive(
        kind=kind,
        shipment_id=shipment_id,
        order_id=uuid4(),
        settings=current,
        now=NOW,
        roll=roll,
    )
    return task


def types(task: Task) -> list[str]:
    return [event.event_type() for event in task.collect_events()]


def test_the_defaults_answer_after_200_ms_never_lose_and_run() -> None:
    defaults = SimulatorSettings().current

    assert defaults == SimulatorTuned(
        pick_delay_ms=200, ship_delay_ms=200, failure_rate=0.0, paused=False
    )


def test_a_pick_is_due_after_the_pick_delay_and_a_shipment_after_the_ship_delay() -> None:
    current = settings(pick_delay_ms=1_500, ship_delay_ms=4_000)

    [pick] = a_task(TaskKind.PICK, current).collect_events()
    [ship] = a_task(TaskKind.SHIP, current).collect_events()

    assert isinstance(pick, TaskReceived) and isinstance(ship, TaskReceived)
    assert pick.due_at == NOW + timedelta(milliseconds=1_500)
    assert ship.due_at == NOW + timedelta(milliseconds=4_000)


def test_a_task_is_answered_only_once_it_is_due() -> None:
    current = settings(pick_delay_ms=1_000)
    task = a_task(TaskKind.PICK, current)
    task.collect_events()

    task.answer(settings=current, now=NOW + timedelta(milliseconds=999))
    early = types(task)
    task.answer(settings=current, now=NOW + timedelta(seconds=1))

    assert early == []
    assert types(task) == ["Picked", "Packed"]


def test_a_shipment_task_answers_shipped_with_a_tracking_number_then_delivered() -> None:
    current = settings()
    task = a_task(TaskKind.SHIP, current)
    task.collect_events()

    task.answer(settings=current, now=NOW + timedelta(seconds=1))

    shipped, delivered = task.collect_events()
    assert (shipped.event_type(), delivered.event_type()) == ("Shipped", "Delivered")
    assert shipped.model_dump()["tracking_number"].startswith("SIM")


def test_an_answered_task_is_never_answered_again() -> None:
    current = settings()
    task = a_task(TaskKind.PICK, current)
    task.answer(settings=current, now=NOW + timedelta(seconds=1))
    task.collect_events()

    task.answer(settings=current, now=NOW + timedelta(seconds=2))

    assert types(task) == []


def test_while_paused_due_tasks_wait_and_are_answered_after_unpausing() -> None:
    paused = settings(paused=True)
    task = a_task(TaskKind.PICK, paused)
    task.collect_events()

    task.answer(settings=paused, now=NOW + timedelta(hours=1))
    while_paused = types(task)
    task.answer(settings=settings(paused=False), now=NOW + timedelta(hours=1))

    assert while_paused == []
    assert types(task) == ["Picked", "Packed"]


def test_a_request_received_twice_is_one_task() -> None:
    current = settings()
    task = a_task(TaskKind.PICK, current)

    task.receive(
        kind=TaskKind.PICK, shipment_id=uuid4(), order_id=uuid4(), settings=current, now=NOW, roll=0
    )

    assert types(task) == ["TaskReceived"]


def test_a_lost_task_is_never_answered() -> None:
    lossy = settings(failure_rate=0.5)
    task = a_task(TaskKind.PICK, lossy, roll=0.2)

    task.answer(settings=lossy, now=NOW + timedelta(hours=1))

    events = task.collect_events()
    assert [e.event_type() for e in events] == ["TaskReceived"]
    assert events[0].model_dump()["lost"] is True


def test_the_failure_rate_loses_about_that_share_of_tasks_with_a_seeded_generator() -> None:
    lossy = settings(failure_rate=0.25)
    rng = random.Random(42)

    lost = [lossy.loses(rng.random()) for _ in range(2_000)]

    assert 0.22 < sum(lost) / len(lost) < 0.28
    assert [lossy.loses(r) for r in (0.0, 0.2499, 0.25, 0.99)] == [True, True, False, False]


def test_failure_rates_of_zero_and_one_never_and_always_lose() -> None:
    assert not settings(failure_rate=0).loses(0.0)
    assert settings(failure_rate=1).loses(0.999_999)


def test_a_cancelled_task_is_not_answered_and_an_answered_one_not_cancelled() -> None:
    current = settings()
    cancelled = a_task(TaskKind.PICK, current)
    answered = a_task(TaskKind.PICK, current)
    answered.answer(settings=current, now=NOW + timedelta(seconds=1))
    for task in (cancelled, answered):
        task.collect_events()

    cancelled.cancel()
    cancelled.answer(settings=current, now=NOW + timedelta(seconds=1))
    answered.cancel()

    assert types(cancelled) == ["TaskCancelled"]
    assert types(answered) == []


def test_tuning_to_the_current_settings_records_nothing() -> None:
    current = SimulatorSettings()

    current.tune(current.current.model_copy())
    current.tune(current.current.model_copy(update={"paused": True}))

    assert [e.event_type() for e in current.collect_events()] == ["SimulatorTuned"]


LEEDS = ShipTo(name="Ada", line1="1 Loop", city="Leeds", postal_code="LS1", country="GB")
YORK = LEEDS.model_copy(update={"city": "York", "postal_code": "YO1"})


def a_shipment_task(current: SimulatorSettings) -> Task:
    shipment_id = uuid4()
    task = Task(task_id_for(TaskKind.SHIP, shipment_id))
    task.receive(
        kind=TaskKind.SHIP,
        shipment_id=shipment_id,
        order_id=uuid4(),
        settings=current,
        now=NOW,
        roll=0.5,
        ship_to=LEEDS,
    )
    task.collect_events()
    return task


def test_an_amended_shipment_is_collected_for_the_new_address() -> None:
    current = settings()
    task = a_shipment_task(current)

    task.amend(YORK)
    task.amend(YORK)
    task.answer(settings=current, now=NOW + timedelta(seconds=1))

    amended, shipped, _ = task.collect_events()
    assert isinstance(amended, TaskAmended) and isinstance(shipped, Shipped)
    assert shipped.ship_to == YORK


def test_an_amendment_after_collection_changes_nothing_and_shipped_told_the_old_address() -> None:
    current = settings()
    task = a_shipment_task(current)
    task.answer(settings=current, now=NOW + timedelta(seconds=1))

    task.amend(YORK)

    shipped, _ = task.collect_events()
    assert isinstance(shipped, Shipped) and shipped.ship_to == LEEDS
