"""Where each product process spends its time under a steady order load (py-spy).

Run: python -m bench.profile [--target embedded|scaleout] [--rate 40] [--seconds 30]
  scale-out needs POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS exported (see bench/orders.py).

Starts the product as bench/orders.py does, places orders at a constant --rate (open model,
bench/orders_load.py) and, once the load runs, samples every product process (embedded: the
parent and each service's worker) with py-spy for --seconds. py-spy counts only samples where a
thread is busy, so a process's samples over rate x seconds is the share of a core it used.

For each process the report gives its busy share and where the samples fall: each sample is
counted to the product's function (services/, shared/) nearest the leaf together with the library
it was in below that function (`-> fastapi`: the time went to FastAPI's routing and validation
under a middleware, not to the middleware's own lines); and the hottest leaf functions anywhere
(library code included), by self share.
Writes bench-results/profile-TARGET.json and .md; the raw stacks stay beside them
(`profile-TARGET-PROCESS.txt`, py-spy's collapsed format, readable by flame-graph tools).
"""

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.orders_load import run_step
from bench.orders_report import Section, markdown_table, rich_table
from bench.orders_stack import build, product_pids, steady_load
from bench.report import write
from tests.e2e.stack import Stack

SAMPLES_PER_S = 100
OURS = ("/services/", "/shared/")
TOP = 12
STOCK = 10_000_000
# The load runs this long before sampling starts (lazy imports, first caches), and after it ends.
LEAD_S = 5.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", choices=("embedded", "scaleout"), default="embedded")
    parser.add_argument("--rate", type=float, default=40.0, help="orders/s (%(default)s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="sampled (%(default)s)")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--skus", type=int, default=8)
    parser.add_argument("--output-dir", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def frame_name(frame: str) -> str:
    """`function (path/file.py:line)` as `function (file.py)`, or as the product's module path."""
    function, _, where = frame.partition(" (")
    path = "/" + where.rsplit(":", 1)[0].lstrip("/")  # relative to the repository, or absolute
    for root in OURS:
        if root in path:
            return f"{function} ({root.strip('/')}/{path.split(root, 1)[1]})"
    return f"{function} ({Path(path).name})" if where else function


def _with_library_below(frames: list[str], index: int, raw_frames: list[str]) -> str:
    """The product frame at `index`, and the top-level package of the frame below it, if any."""
    if index + 1 == len(frames):
        return frames[index]
    where = raw_frames[index + 1].partition(" (")[2].lstrip("/<")
    return f"{frames[index]} -> {where.split('/', 1)[0].split('.', 1)[0] or '?'}"


def summarise(raw: str, seconds: float) -> dict[str, Any]:
    """Busy share; each sample counted to the product's function nearest the leaf (its own time
    and the libraries it called); and the leaf functions by self share."""
    nearest: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(f) for f in stack.split(";")]
        total += count
        if frames:
            leaves[frames[-1]] += count
        ours = [i for i, f in enumerate(frames) if " (services/" in f or " (shared/" in f]
        if ours:
            nearest[_with_library_below(frames, ours[-1], stack.split(";"))] += count

    def shares(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"function": name, "share": round(count / total, 3)}
            for name, count in counter.most_common(TOP)
        ]

    return {
        "samples": total,
        "busy_cores": round(total / (SAMPLES_PER_S * seconds), 3),
        "ours_nearest": shares(nearest) if total else [],
        "leaves_self": shares(leaves) if total else [],
    }


async def load(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """The steady load, and py-spy on every process while it runs."""
    load = steady_load(stack, customers=args.customers, skus=args.skus, stock=STOCK)
    async with load as (placing, polling, mix):
        count = round(args.rate * (args.seconds + 2 * LEAD_S))
        step = asyncio.create_task(
            run_step(placing, polling, mix, rate=args.rate, count=count, grace_s=30.0)
        )
        await asyncio.sleep(LEAD_S)
        profiles = await asyncio.to_thread(sample, product_pids(stack), args)
        run = await step
    accepted = sum(s.order_id is not None for s in run.samples)
    return {"offered": count, "accepted": accepted, "processes": profiles}


def sample(pids: dict[str, int], args: argparse.Namespace) -> dict[str, Any]:
    folder = args.output_dir
    spy = str(Path(sys.executable).with_name("py-spy"))
    running = {}
    for name, pid in pids.items():
        out = folder / f"profile-{args.target}-{name.replace('/', '-')}.txt"
        command = [spy, "record", "--pid", str(pid), "--duration", str(round(args.seconds))]
        command += ["--rate", str(SAMPLES_PER_S), "--format", "raw", "--nonblocking"]
        running[name] = (
            subprocess.Popen(
                [*command, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            ),
            out,
        )
    profiles = {}
    for name, (spying, out) in running.items():
        _, error = spying.communicate(timeout=args.seconds + 60)
        if spying.returncode != 0 or not out.exists():
            profiles[name] = {"error": error.decode(errors="replace").strip()[-500:]}
            continue
        profiles[name] = summarise(out.read_text(), args.seconds)
    return profiles


def section(result: dict[str, Any]) -> Section:
    rows = []
    for name, profile in result["processes"].items():
        if "error" in profile:
            rows.append([name, "-", profile["error"][:60], ""])
            continue
        ours = ", ".join(f"{p['function']} {p['share']:.0%}" for p in profile["ours_nearest"][:5])
        leaves = ", ".join(f"{p['function']} {p['share']:.0%}" for p in profile["leaves_self"][:4])
        rows.append([name, f"{profile['busy_cores']:.2f}", ours, leaves])
    title = (
        f"py-spy, {result['target']}, {result['rate']:g} orders/s for {result['seconds']:g} s"
        f" ({result['accepted']}/{result['offered']} accepted)"
    )
    headers = ["process", "busy cores", "product functions (with what they call)", "hottest leaves"]
    return Section(title, headers, rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=200)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="gapless-bench-profile-"))
    stack = build(args.target, folder, replicas=1, schedule_interval_s=None)
    result: dict[str, Any] = {"target": args.target, "rate": args.rate, "seconds": args.seconds}
    try:
        console.print(f"[dim]profile: starting {args.target}[/]")
        stack.start()
        result |= asyncio.run(load(stack, args))
    finally:
        with contextlib.suppress(Exception):
            stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
    console.print(rich_table(section(result)))
    name = f"profile-{args.target}"
    write(args.output_dir / f"{name}.json", result)
    (args.output_dir / f"{name}.md").write_text("\n".join(markdown_table(section(result))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
