"""Figures of the orders benchmark: per ladder step, the sustained rate, the hot stream's drift."""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bench.orders_load import OrderSample, StepRun

SUSTAINED_P99_MS = 1_000.0
# A step this bad ends the ladder: higher rates would only be worse and take longer.
BAD_P99_MS = 5_000.0
BAD_SHARE = 0.05
LAG_P99_MS = 1_000.0
HOT_WINDOW = 1_000
HOT_GOAL_RATIO = 1.5


def percentiles(seconds: Iterable[float], ranks: Sequence[float]) -> dict[str, Any]:
    """n and nearest-rank percentiles in ms (p99.9 of fewer than 1,000 samples is the maximum)."""
    ordered = sorted(seconds)
    figures: dict[str, Any] = {"n": len(ordered)}
    for rank in ranks:
        index = max(0, math.ceil(rank / 100 * len(ordered)) - 1)
        figures[f"p{rank:g}"] = round(ordered[index] * 1000, 1) if ordered else None
    return figures


def _intake(samples: Iterable[OrderSample]) -> list[float]:
    return [s.answered - s.intended for s in samples if s.answered is not None]


def _release(samples: Iterable[OrderSample], by: float) -> list[float]:
    return [
        s.released_at - s.placed_at
        for s in samples
        if s.released_at is not None and s.placed_at is not None and s.released_at <= by
    ]


def _shipment(samples: Iterable[OrderSample], by: float) -> list[float]:
    return [
        s.shipped_at - s.placed_at
        for s in samples
        if s.shipped_at is not None and s.placed_at is not None and s.shipped_at <= by
    ]


def _backlog(accepted: Iterable[OrderSample], at: float) -> int:
    """Orders accepted by `at` and not released by then (event times where known)."""
    return sum(
        (s.placed_at or s.answered or math.inf) <= at
        and (s.released_at is None or s.released_at > at)
        for s in accepted
    )


def step_figures(
    run: StepRun,
    *,
    planned: int,
    cpu_s: dict[str, float],
    bench_cpu_s: float,
    servers_cpu_s: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """`cpu_s`: CPU seconds of each product process, `bench_cpu_s` of this benchmark's process,
    `servers_cpu_s` of PostgreSQL and Kafka (scale-out)."""
    seconds = planned / run.rate
    accepted = [s for s in run.samples if s.order_id is not None]
    failed = [s for s in run.samples if s.order_id is None]
    released = _release(accepted, run.deadline)
    figures = {
        "rate_per_s": run.rate,
        "seconds": round(seconds, 1),
        "planned": planned,
        "offered": len(run.samples),
        "offered_per_s": round(len(run.samples) / seconds, 1),
        "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / seconds, 1),
        "errors": dict(Counter(str(s.error)[:120] for s in failed).most_common(5)),
        "retried": sum(s.attempts > 1 for s in run.samples),
        "intake_ms": percentiles(_intake(accepted), (50, 99, 99.9)),
        "send_lag_ms": percentiles(
            (s.sent - s.intended for s in accepted if s.sent is not None), (50, 99)
        ),
        "released_ms": percentiles(released, (50, 99, 99.9)),
        "shipped_ms": percentiles(_shipment(accepted, run.deadline), (50, 99)),
        "released": len(released),
        "not_released": len(accepted) - len(released),
        "shipped": len(_shipment(accepted, run.deadline)),
        "backlog_at_end": _backlog(accepted, run.end),
        "grace_s": round(run.deadline - run.end, 1),
        "drained_in_s": round(max(0.0, run.finished - run.end), 1),
        "polls_per_order": round(sum(s.polls for s in accepted) / max(1, len(accepted)), 2),
        "poll_errors": sum(s.poll_errors for s in accepted),
        "offering_stopped_at": run.aborted_at,
        # Per accepted order: what each process spent from the step's start to its drain's end.
        "cpu_s_per_order": {
            name: round(used / max(1, len(accepted)), 6) for name, used in cpu_s.items()
        },
        "bench_cpu_s_per_order": round(bench_cpu_s / max(1, len(accepted)), 6),
        "servers_cpu_s_per_order": {
            name: round(used / max(1, len(accepted)), 6)
            for name, used in (servers_cpu_s or {}).items()
        },
    }
    return figures | verdict(figures)


def verdict(figures: dict[str, Any]) -> dict[str, Any]:
    """held: the step counts towards the sustained rate; stops_ladder: why no higher rate runs."""
    why_not = _why_not(figures)
    return {"held": not why_not, "why_not": why_not, "stops_ladder": _failed_badly(figures)}


def _why_not(figures: dict[str, Any]) -> list[str]:
    why_not: list[str] = []
    offered, accepted = figures["offered"], figures["accepted"]
    released_p99 = figures["released_ms"]["p99"]
    if offered < figures["planned"]:
        why_not.append(f"offering stopped after {offered} of {figures['planned']} orders")
    if accepted < offered:
        why_not.append(f"{offered - accepted} not accepted")
    if figures["not_released"]:
        why_not.append(f"{figures['not_released']} not released within the grace period")
    if released_p99 is None or released_p99 > SUSTAINED_P99_MS:
        why_not.append(f"accepted->released p99 {released_p99} ms > {SUSTAINED_P99_MS:.0f} ms")
    if (figures["send_lag_ms"]["p99"] or 0) > LAG_P99_MS:
        why_not.append("the load generator fell behind its schedule")
    return why_not


def _failed_badly(figures: dict[str, Any]) -> list[str]:
    """Why higher rates would only be worse and take longer (empty: climb on)."""
    reasons: list[str] = []
    offered, accepted = figures["offered"], figures["accepted"]
    if offered < figures["planned"]:
        reasons.append("too many orders waited for an answer")
    if accepted < (1 - BAD_SHARE) * offered:
        reasons.append(f"{offered - accepted} of {offered} not accepted")
    if figures["not_released"] > BAD_SHARE * max(1, accepted):
        reasons.append(f"{figures['not_released']} of {accepted} not released")
    for name in ("intake", "released"):
        p99 = figures[f"{name}_ms"]["p99"]
        if p99 is None or p99 > BAD_P99_MS:
            reasons.append(f"{name} p99 {p99} ms > {BAD_P99_MS:.0f} ms")
    return reasons


def sustained(steps: Sequence[dict[str, Any]]) -> float | None:
    """The highest rate held for its full step (every order accepted and released, p99 ≤ 1 s)."""
    held = [step["rate_per_s"] for step in steps if step["held"]]
    return max(held) if held else None


def hot_figures(
    run: StepRun,
    *,
    planned: int,
    cpu_s: dict[str, float],
    bench_cpu_s: float,
    servers_cpu_s: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The stream's first and last orders compared: does a longer stream make orders slower?"""
    accepted = [s for s in run.samples if s.order_id is not None]
    window = min(HOT_WINDOW, len(accepted) // 2)
    first, last = accepted[:window], accepted[len(accepted) - window :]
    drift = _compared(run, last, first, names=("last_ms", "first_ms"))
    ratios = [r for d in drift.values() for r in d["ratio"].values()]
    return {
        "window": window,
        **drift,
        "goal_ratio": HOT_GOAL_RATIO,
        "met": bool(ratios) and all(r is not None and r <= HOT_GOAL_RATIO for r in ratios),
        "step": step_figures(
            run,
            planned=planned,
            cpu_s=cpu_s,
            bench_cpu_s=bench_cpu_s,
            servers_cpu_s=servers_cpu_s,
        ),
    }


def beside_figures(run: StepRun, **_: Any) -> dict[str, Any]:
    """Orders alternating between the long stream's pair (even) and a new pair (odd), placed
    together: what the history alone costs, whatever the machine was doing meanwhile."""
    accepted = [s for s in run.samples if s.order_id is not None]
    long, new = accepted[0::2], accepted[1::2]
    return {"orders": len(accepted), **_compared(run, long, new, names=("long_ms", "new_ms"))}


def _compared(
    run: StepRun,
    one: Sequence[OrderSample],
    other: Sequence[OrderSample],
    *,
    names: tuple[str, str],
) -> dict[str, Any]:
    """Intake and release p50/p99 of two sets of orders, and the ratios of `one` to `other`."""
    compared: dict[str, Any] = {}
    for name, measure in (
        ("intake", _intake),
        ("released", lambda samples: _release(samples, run.deadline)),
    ):
        a, b = percentiles(measure(one), (50, 99)), percentiles(measure(other), (50, 99))
        ratio = {rank: _ratio(a[rank], b[rank]) for rank in ("p50", "p99")}
        compared[name] = {names[0]: a, names[1]: b, "ratio": ratio}
    return compared


def _ratio(late: float | None, early: float | None) -> float | None:
    return round(late / early, 2) if late is not None and early else None


def replica_gain(sustained_by_replicas: dict[int, float | None]) -> dict[str, Any]:
    """Sustained rate with 2 members per consumer group over that with 1."""
    one, two = sustained_by_replicas.get(1), sustained_by_replicas.get(2)
    return {
        "sustained_per_s": {str(n): rate for n, rate in sustained_by_replicas.items()},
        "ratio": round(two / one, 2) if one and two else None,
    }
