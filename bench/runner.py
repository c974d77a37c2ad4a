"""Timing harness: N concurrent tasks, each on its own streams; rounds rotate the variants."""

import asyncio
import math
import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from time import perf_counter, process_time
from typing import Protocol

Transaction = Callable[[int], Awaitable[None]]


class Variant(Protocol):
    name: str

    def new_worker(self) -> Transaction:
        """A function doing transaction number i on streams no other worker touches."""
        ...


@dataclass(frozen=True)
class Plan:
    concurrency: int
    rounds: int
    transactions: int
    warmup: int
    deadline: float = math.inf
    """perf_counter() time after which no new round starts (at least one always runs)."""


@dataclass
class Measured:
    rates: list[float] = field(default_factory=list)
    cpu_per_tx: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def median_rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def median_cpu_us(self) -> float:
        """Client-process CPU per transaction: the driver's and our Python, not the server's."""
        return statistics.median(self.cpu_per_tx) * 1e6

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000


async def run_round(variant: Variant, *, transactions: int, concurrency: int) -> Measured:
    """One round: `transactions` split over `concurrency` tasks; returns tx/s and latencies."""
    shares = [
        transactions // concurrency + (1 if k < transactions % concurrency else 0)
        for k in range(concurrency)
    ]
    latencies: list[float] = []

    async def drive(worker: Transaction, count: int) -> None:
        for i in range(count):
            started = perf_counter()
            await worker(i)
            latencies.append(perf_counter() - started)

    workers = [variant.new_worker() for _ in shares]
    started, cpu_started = perf_counter(), process_time()
    await asyncio.gather(*(drive(w, n) for w, n in zip(workers, shares, strict=True)))
    elapsed, cpu = perf_counter() - started, process_time() - cpu_started
    return Measured([transactions / elapsed], [cpu / transactions], latencies)


async def compare(variants: Sequence[Variant], plan: Plan) -> dict[str, Measured]:
    """Warm every variant up, then time them in rotating order so drift hits all alike.

    Round r runs the variants starting from number r (ABC, BCA, CAB, ...): over the rounds each
    variant runs once in every position. Past the plan's deadline no new round starts.
    """
    for variant in variants:
        await run_round(variant, transactions=plan.warmup, concurrency=plan.concurrency)
    results = {variant.name: Measured() for variant in variants}
    for number in range(plan.rounds):
        if number and perf_counter() > plan.deadline:
            break
        shift = number % len(variants)
        for variant in [*variants[shift:], *variants[:shift]]:
            round_ = await run_round(
                variant, transactions=plan.transactions, concurrency=plan.concurrency
            )
            measured = results[variant.name]
            measured.rates += round_.rates
            measured.cpu_per_tx += round_.cpu_per_tx
            measured.latencies += round_.latencies
    return results
