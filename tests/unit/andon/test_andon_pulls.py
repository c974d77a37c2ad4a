"""Andon targets: routing of tickets, one open pull per target, the rules of resolving."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.andon.domain import (
    AndonTarget,
    Pull,
    PullAlreadyResolvedError,
    PullNotFoundError,
    RootCauseMissingError,
    departments_for,
)
from services.andon.events import AndonPulled, AndonPulledAgain, AndonResolved, Category, TargetKind

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def a_pull(category: Category = Category.QUALITY, by: str = "mia") -> Pull:
    return Pull(reason="scratched casing", category=category, pulled_by=by)


@pytest.mark.parametrize(
    ("category", "kind", "departments"),
    [
        (Category.QUALITY, TargetKind.SKU, ("quality",)),
        (Category.STOCK, TargetKind.SKU, ("warehouse",)),
        (Category.CREDIT, TargetKind.CUSTOMER, ("credit", "sales")),
        (Category.TRANSPORT, TargetKind.ORDER, ("shipping", "sales")),
        (Category.PROCESS, TargetKind.STEP, ("operations",)),
        (Category.OTHER, TargetKind.SKU, ("operations",)),
    ],
)
def test_tickets_go_to_the_departments_owning_the_category_and_sales_for_customers(
    category: Category, kind: TargetKind, departments: tuple[str, ...]
) -> None:
    assert departments_for(category, kind) == departments


def test_a_first_pull_opens_a_routed_ticket() -> None:
    target = AndonTarget("sku:RETRO-CLOCK")
    pull_id = uuid4()

    assert target.pull(a_pull(), new_pull_id=pull_id, now=NOW) == (pull_id, True)

    [event] = target.collect_events()
    assert isinstance(event, AndonPulled)
    assert (event.target_kind, event.target_id) == (TargetKind.SKU, "RETRO-CLOCK")
    assert event.departments == ("quality",) and event.pulled_at == NOW


def test_pulling_an_open_target_again_records_the_puller_on_the_same_pull() -> None:
    target = AndonTarget("customer:acme")
    first, _ = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)

    again = target.pull(a_pull(by="ben"), new_pull_id=uuid4(), now=NOW + timedelta(minutes=1))

    assert again == (first, False)
    assert [type(e) for e in target.collect_events()] == [AndonPulled, AndonPulledAgain]


def test_after_resolving_a_pull_the_next_pull_is_a_new_one() -> None:
    target = AndonTarget("sku:TEAPOT")
    first, _ = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)
    target.resolve(first, root_cause="bad batch", fix="scrapped", resolved_by="ops", now=NOW)

    second, new = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)

    assert new and second != first


def test_resolving_records_root_cause_fix_and_time_to_resolve() -> None:
    target = AndonTarget("order:o-1")
    pull_id, _ = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)
    target.collect_events()

    target.resolve(
        pull_id, root_cause=" loose lid ", fix="glued", resolved_by="ops", now=NOW + timedelta(90)
    )

    [event] = target.collect_events()
    assert isinstance(event, AndonResolved)
    assert (event.root_cause, event.fix, event.resolved_by) == ("loose lid", "glued", "ops")
    assert event.seconds_to_resolve == 90 * 24 * 3600


def test_resolving_without_a_root_cause_is_refused_naming_the_field() -> None:
    target = AndonTarget("sku:TEAPOT")
    pull_id, _ = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)

    with pytest.raises(RootCauseMissingError) as refused:
        target.resolve(pull_id, root_cause="  ", fix="x", resolved_by="ops", now=NOW)

    assert refused.value.errors[0]["field"] == "root_cause"
    assert refused.value.status_code == 422


def test_resolving_twice_is_a_conflict_and_an_unknown_pull_is_not_found() -> None:
    target = AndonTarget("sku:TEAPOT")
    pull_id, _ = target.pull(a_pull(), new_pull_id=uuid4(), now=NOW)
    target.resolve(pull_id, root_cause="r", fix="f", resolved_by="ops", now=NOW)

    with pytest.raises(PullAlreadyResolvedError):
        target.resolve(pull_id, root_cause="r", fix="f", resolved_by="ops", now=NOW)
    with pytest.raises(PullNotFoundError):
        target.resolve(uuid4(), root_cause="r", fix="f", resolved_by="ops", now=NOW)


def test_a_target_rebuilt_from_its_events_knows_its_open_pull() -> None:
    target = AndonTarget("step:inventory")
    pull_id, _ = target.pull(a_pull(Category.PROCESS), new_pull_id=uuid4(), now=NOW)

    rebuilt = AndonTarget.rehydrate("step:inventory", target.collect_events())

    assert rebuilt.open_pull == pull_id
    assert rebuilt.pull(a_pull(), new_pull_id=uuid4(), now=NOW) == (pull_id, False)
