"""Pure intake rules: ABC classes, segment/priority/deadline, pattern check, default policy."""

from datetime import timedelta

from order_builders import NOW, a_line

from services.order.domain import (
    DEFAULT_POLICY,
    CustomerHistory,
    abc_classes,
    order_terms,
    unusual_order,
)
from services.order.events import PatternCheckPolicy

POLICY = PatternCheckPolicy()


def test_abc_gives_a_to_the_top_reaching_80_percent_b_up_to_95_and_c_the_rest() -> None:
    revenue = {"big": 700, "mid": 150, "small": 100, "tiny": 40, "dust": 10, "none": 0}

    classes = abc_classes(revenue)

    # big 70% < 80% so mid joins A (85%); small reaches 95% as B; the rest are C.
    assert classes == {"big": "A", "mid": "A", "small": "B", "tiny": "C", "dust": "C", "none": "C"}


def test_abc_breaks_ties_by_id_and_gives_c_to_everything_without_revenue() -> None:
    assert abc_classes({"b": 50, "a": 50}) == {"a": "A", "b": "A"}
    assert abc_classes({"b": 10, "a": 10, "c": 10, "d": 10, "e": 10}) == {
        "a": "A",
        "b": "A",
        "c": "A",
        "d": "A",
        "e": "B",
    }
    assert abc_classes({"x": 0, "y": 0}) == {"x": "C", "y": "C"}


def test_the_default_policy_matches_flows_md() -> None:
    segments = DEFAULT_POLICY.segments

    assert DEFAULT_POLICY.version == 1
    assert [
        segments.AA.priority_weight,
        segments.BB.priority_weight,
        segments.CC.priority_weight,
    ] == [
        5,
        3,
        1,
    ]
    assert (segments.AC.target_response_minutes, segments.BA.target_response_minutes) == (60, 240)
    assert (segments.CA.target_response_minutes, segments.CA.backorder_rule) == (
        1440,
        "wait_complete",
    )
    assert (segments.BC.backorder_rule, segments.AB.target_fill_rate) == ("ship_partial", 0.98)


def test_segment_takes_the_best_item_class_and_priority_the_tier_factor() -> None:
    terms = order_terms(
        DEFAULT_POLICY,
        customer_class="A",
        item_classes=["C", "B"],
        tier="strategic",
        accepted_at=NOW,
    )

    assert (terms.segment, terms.priority) == ("AB", 4 * 3)
    assert terms.deadline == NOW + timedelta(minutes=60)
    assert terms.backorder_rule == "ship_partial"


def test_an_unclassified_order_is_cc_with_the_lowest_priority() -> None:
    terms = order_terms(
        DEFAULT_POLICY, customer_class="C", item_classes=["C"], tier="regular", accepted_at=NOW
    )

    assert (terms.segment, terms.priority, terms.backorder_rule) == ("CC", 1, "wait_complete")


def test_a_first_order_above_the_threshold_is_unusual_and_below_it_is_not() -> None:
    empty = CustomerHistory()

    assert unusual_order(empty, [a_line(quantity=1, price=100_001)], POLICY) is not None
    assert unusual_order(empty, [a_line(quantity=1, price=100_000)], POLICY) is None


def test_an_order_worth_over_five_times_the_median_is_unusual_with_enough_history() -> None:
    history = CustomerHistory(order_totals=(1_000, 2_000, 3_000))
    short_history = CustomerHistory(order_totals=(1_000, 2_000))

    assert unusual_order(history, [a_line(quantity=1, price=10_001)], POLICY) is not None
    assert unusual_order(history, [a_line(quantity=1, price=10_000)], POLICY) is None
    assert unusual_order(short_history, [a_line(quantity=1, price=50_000)], POLICY) is None


def test_a_line_quantity_over_five_times_the_customers_median_for_that_sku_is_unusual() -> None:
    history = CustomerHistory(
        order_totals=(100_000, 100_000, 100_000), line_quantities={"CLOCK": (2, 2, 4)}
    )

    assert unusual_order(history, [a_line("CLOCK", 11, price=1)], POLICY) is not None
    assert unusual_order(history, [a_line("CLOCK", 10, price=1)], POLICY) is None
    assert unusual_order(history, [a_line("LAMP", 500, price=1)], POLICY) is None
