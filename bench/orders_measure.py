"""One running stack under the orders benchmark: setup, the rate ladder and the hot stream."""

import argparse
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import httpx

from bench.orders_figures import beside_figures, hot_figures, step_figures, sustained
from bench.orders_load import Channel, Mix, run_step
from bench.orders_stack import (
    busy_cores,
    check_running,
    prepare,
    process_cpu_s,
    servers_cpu_s,
    settle,
)
from tests.e2e.clients import Api
from tests.e2e.stack import Stack

STOCK_PER_SKU = 1_000_000
HOT_RATE = 100.0
# After the hot stream: this many orders of its pair, each beside one of a new pair, at this rate.
BESIDE_ORDERS, BESIDE_RATE = 200, 10.0
SETTLE_LIMIT_S = 60.0
PLACING_CONNECTIONS, POLLING_CONNECTIONS = 256, 64
Say = Callable[[str], None]
Figures = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Session:
    """What every step of one stack needs."""

    stack: Stack
    placing: Channel
    polling: Channel
    grace_s: float
    idle_cores: float
    say: Say


async def timed_step(
    session: Session, mix: Mix, rate: float, count: int, figures: Figures = step_figures
) -> dict[str, Any]:
    """One constant-rate step on a settled stack, with the CPU each process used until drained."""
    settled_s = await settle(session.stack, idle_cores=session.idle_cores, limit_s=SETTLE_LIMIT_S)
    servers = servers_cpu_s if session.stack.target == "scaleout" else dict
    before, bench_before = process_cpu_s(session.stack), time.process_time()
    servers_before = servers()
    run = await run_step(
        session.placing, session.polling, mix, rate=rate, count=count, grace_s=session.grace_s
    )
    bench_cpu_s = time.process_time() - bench_before
    after = process_cpu_s(session.stack)
    servers_used = {name: used - servers_before.get(name, used) for name, used in servers().items()}
    check_running(session.stack)
    # A worker process that ended takes its CPU seconds along: never count less than none.
    cpu_s = {name: max(0.0, used - before.get(name, used)) for name, used in after.items()}
    result = figures(
        run, planned=count, cpu_s=cpu_s, bench_cpu_s=bench_cpu_s, servers_cpu_s=servers_used
    )
    return result | {
        "settled_before_s": settled_s,
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


async def ladder(
    session: Session, mix: Mix, args: argparse.Namespace, steps: list[dict[str, Any]]
) -> None:
    """Climb the rates, appending each step's figures to `steps` as soon as it is measured."""
    for rate in args.rates:
        step = await timed_step(session, mix, rate, max(1, round(rate * args.step_seconds)))
        steps.append(step)
        session.say(
            f"{rate:g}/s: {step['accepted']}/{step['offered']} accepted,"
            f" {step['released']} released, p99 {step['released_ms']['p99']} ms,"
            f" backlog {step['backlog_at_end']}: {'held' if step['held'] else 'not held'}"
        )
        if step["stops_ladder"]:
            session.say(f"the ladder stops here: {'; '.join(step['stops_ladder'])}")
            break


def hot_plan(args: argparse.Namespace, held_rate: float | None) -> tuple[float, int]:
    """Rate and order count of the hot stream.

    Unless given, the rate is HOT_RATE or half the sustained rate if that is lower: a moderate
    rate, so that what grows over the stream is the stream's length, not a queue.
    """
    rate = args.hot_rate or min(HOT_RATE, (held_rate or min(args.rates)) / 2)
    return rate, max(2, min(args.hot_orders, round(rate * args.hot_max_seconds)))


def _clients(count: int, connections: int) -> list[httpx.AsyncClient]:
    """`count` clients sharing `connections`, each kept open (a new one costs a TCP handshake)."""
    each = max(1, connections // count)
    limits = httpx.Limits(max_connections=each, max_keepalive_connections=each)
    timeout = httpx.Timeout(10.0, pool=30.0)
    return [httpx.AsyncClient(timeout=timeout, limits=limits) for _ in range(count)]


async def _warm_up(session: Session, mix: Mix, args: argparse.Namespace) -> None:
    """Untimed orders at the lowest rate: first requests pay for lazy imports and caches."""
    session.say("warming up")
    rate = min(args.rates)
    count = max(1, round(rate * args.warmup_seconds))
    await run_step(
        session.placing, session.polling, mix, rate=rate, count=count, grace_s=session.grace_s
    )
    check_running(session.stack)


async def measure(stack: Stack, args: argparse.Namespace, say: Say, result: dict[str, Any]) -> None:
    """Fill `result` as the figures come in: what was measured survives a failure later on."""
    started = perf_counter()
    # Polling has clients (and connections) of its own: it never holds up a placement.
    placing, polling = _clients(8, PLACING_CONNECTIONS), _clients(4, POLLING_CONNECTIONS)
    async with contextlib.AsyncExitStack() as clients:
        for client in (*placing, *polling):
            await clients.enter_async_context(client)
        api = Api(stack, polling[0])
        await api.tune_simulator()
        mix = await prepare(api, customers=args.customers, skus=args.skus, stock=STOCK_PER_SKU)
        hot = None
        if args.hot_orders:
            hot = await prepare(api, customers=1, skus=1, stock=args.hot_orders + 1)
        idle = await busy_cores(stack, 1.0)
        channels = Channel(stack, placing), Channel(stack, polling)
        session = Session(stack, *channels, grace_s=args.grace, idle_cores=idle, say=say)
        result |= {"setup_s": round(perf_counter() - started, 1), "idle_cores": round(idle, 3)}
        if args.warmup_seconds:
            await _warm_up(session, mix, args)
        result["steps"] = []
        await ladder(session, mix, args, result["steps"])
        result["sustained_per_s"] = sustained(result["steps"])
        if hot is not None:
            rate, count = hot_plan(args, result["sustained_per_s"])
            say(f"hot stream: {count} orders at {rate:g}/s")
            result["hot_stream"] = await timed_step(session, hot, rate, count, hot_figures)
            new = await prepare(api, customers=1, skus=1, stock=BESIDE_ORDERS + 1)
            pairs = Mix([*hot.customers, *new.customers], [*hot.skus, *new.skus])
            beside = min(BESIDE_ORDERS, count)
            say(f"the hot pair beside a new one: {beside} orders each at {BESIDE_RATE:g}/s")
            result["hot_stream"]["beside_a_new_pair"] = await timed_step(
                session, pairs, BESIDE_RATE, 2 * beside, beside_figures
            )
