"""Stopping the line for an andon pull: stopped once, lifted once, a lift seen first wins."""

from uuid import UUID, uuid4

from shared.messages import DomainEvent
from shared.stops import OpenStops, PullStop, PullTarget


class LineStopped(DomainEvent):
    pull_id: UUID
    target_kind: str
    target_id: str


class LineRestarted(DomainEvent):
    pull_id: UUID


class LineStop(PullStop[PullTarget, PullTarget | None]):
    """A stop as a service sees it; `restart(None)`: a resolution that does not name the target."""

    stream_type = "line-stop"
    stopped_by = LineStopped
    lifted_by = LineRestarted
    hits = frozenset({"sku", "order"})

    def stop(self, target_kind: str, target_id: str) -> None:
        self._stop(PullTarget(target_kind, target_id))

    def restart(self, target: PullTarget | None) -> None:
        self._lift(target)

    def _stopped(self, target: PullTarget) -> LineStopped:
        return LineStopped(
            pull_id=self.pull_id, target_kind=target.target_kind, target_id=target.target_id
        )

    def _lifted(self, _: PullTarget | None) -> LineRestarted:
        return LineRestarted(pull_id=self.pull_id)


TEAPOT = PullTarget("sku", "TEAPOT")


def recorded(stop: LineStop) -> list[str]:
    return [event.event_type() for event in stop.collect_events()]


def test_a_pull_is_stopped_once_and_lifted_once() -> None:
    stop = LineStop(str(uuid4()))

    stop.stop("sku", "TEAPOT")
    stop.stop("sku", "TEAPOT")
    stop.restart(TEAPOT)
    stop.restart(TEAPOT)

    assert recorded(stop) == ["LineStopped", "LineRestarted"]
    assert (stop.stopped, stop.lifted, stop.version) == (True, True, 2)


def test_the_events_name_the_pull_and_what_it_stops() -> None:
    pull_id = uuid4()
    stop = LineStop(str(pull_id))

    stop.stop("order", "o-1")
    stop.restart(None)

    assert stop.collect_events() == [
        LineStopped(pull_id=pull_id, target_kind="order", target_id="o-1"),
        LineRestarted(pull_id=pull_id),
    ]


def test_a_lift_seen_first_is_recorded_and_the_late_pull_stops_nothing() -> None:
    stop = LineStop(str(uuid4()))

    stop.restart(TEAPOT)
    stop.stop("sku", "TEAPOT")

    assert recorded(stop) == ["LineRestarted"]
    assert (stop.stopped, stop.lifted) == (False, True)


def test_a_pull_on_a_kind_the_stops_do_not_hit_stops_and_lifts_nothing() -> None:
    stop = LineStop(str(uuid4()))

    stop.stop("step", "inventory")
    stop.restart(PullTarget("step", "inventory"))

    assert recorded(stop) == []
    assert not (stop.stopped or stop.lifted)


def test_a_lift_that_does_not_name_the_target_lifts_whatever_the_kind() -> None:
    stop = LineStop(str(uuid4()))

    stop.restart(None)

    assert recorded(stop) == ["LineRestarted"]


def test_a_stream_read_back_keeps_the_rule() -> None:
    pull_id = uuid4()
    history = [
        LineStop.event_from(
            "LineStopped", {"pull_id": pull_id, "target_kind": "sku", "target_id": "X"}
        ),
        LineStop.event_from("LineRestarted", {"pull_id": pull_id}),
    ]
    stop = LineStop.rehydrate(str(pull_id), history)

    stop.stop("sku", "X")
    stop.restart(PullTarget("sku", "X"))

    assert recorded(stop) == []
    assert (stop.stopped, stop.lifted, stop.version) == (True, True, 2)


def test_open_stops_hold_while_any_pull_is_open() -> None:
    first, second = uuid4(), uuid4()
    stops: OpenStops[UUID] = OpenStops()

    stops.stop(first)
    stops.stop(second)
    assert (stops.stopped, stops.is_last(first)) == (True, False)

    stops.lift(first)
    assert (stops.stopped, stops.is_last(second), stops.knows(first)) == (True, True, True)

    stops.lift(second)
    assert not stops.stopped


def test_a_pull_lifted_before_it_stopped_stops_nothing() -> None:
    pull_id = uuid4()
    stops: OpenStops[UUID] = OpenStops()

    stops.lift(pull_id)
    stops.stop(pull_id)

    assert (stops.stopped, stops.knows(pull_id), stops.knows(uuid4())) == (False, True, False)
