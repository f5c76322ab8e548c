"""Benchmark of the local JSON store at 1k, 10k and 100k tickets.

    python bench/local_store.py [--sizes 1000,10000,100000] [--samples 300]

For each size a fresh process fills a store, then times single operations against it and
prints medians (ms), the peak resident memory of that process, and the ratio of each median
at the largest size to the smallest. It also times, from a fresh process each time, opening
the store and running the filtered list (median of 5), and ``ticket-bridge list`` on the
smallest store. Figures are medians because the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTS = [f"agent{i}" for i in range(20)]
STATUSES = ["open", "in_progress", "blocked", "resolved", "closed"]


def _median_ms(fn: Callable[[int], object], samples: int) -> float:
    times = []
    for i in range(samples):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _touch(path: Path) -> None:
    """The filesystem's own cost of creating one small file: the floor under ``create``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, b"{}" * 300)
    os.close(fd)


def worker(size: int, samples: int, path: Path) -> dict[str, float]:
    """Fill a store to ``size`` tickets and time each operation (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from adapters.local_json import LocalJsonService

    rng = random.Random(size)
    service = LocalJsonService(path)
    ids = []
    fill_start = time.perf_counter()
    for i in range(size):
        ticket = service.create_ticket(
            f"Task {i}: investigate component {i % 97}",
            "Steps to reproduce and context.",
            status=STATUSES[(i // 20) % 5],
            priority=["low", "medium", "high", "critical"][i % 4],
            assignee=AGENTS[i % len(AGENTS)],
            labels=[f"area:{i % 7}"],
        )
        ids.append(ticket.id)
    fill = time.perf_counter() - fill_start
    figures = {
        "fill_s": fill,
        "create": _median_ms(lambda i: service.create_ticket(f"Bench create {i}"), samples),
        "get": _median_ms(lambda i: service.get_ticket(rng.choice(ids)), samples),
        "update": _median_ms(
            lambda i: service.update_ticket(rng.choice(ids), priority=["low", "high"][i % 2]),
            samples,
        ),
        "comment": _median_ms(
            lambda i: service.add_comment(rng.choice(ids), f"progress {i}", author="bench"),
            samples,
        ),
    }
    service.list_tickets(status="open", assignee="agent3", limit=50)  # warm
    figures["list"] = _median_ms(
        lambda i: service.list_tickets(status="open", assignee=AGENTS[i % 20], limit=50), 30
    )
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    raw = path / "fs-baseline"
    raw.mkdir()
    figures["fs_create"] = _median_ms(lambda i: _touch(raw / f"f{i}"), samples)
    service.close()
    return figures


def _cold_list(path: Path) -> float:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r});"
        "from adapters.local_json import LocalJsonService;"
        f"page = LocalJsonService({str(path)!r}).list_tickets("
        "status='open', assignee='agent3', limit=50); assert len(page) > 0"
    )
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _cli_list(path: Path) -> float:
    config = path.parent / "bench.toml"
    config.write_text(f'[trackers.local]\ntype = "local_json"\npath = "{path}"\n')
    exe = Path(sys.executable).parent / "ticket-bridge"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bridge"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*cmd, "--config", str(config), "list"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--worker", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), args.samples, Path(args.worker[1]))))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"store-{size}"
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--samples",
                    str(args.samples),
                    "--worker",
                    str(size),
                    str(path),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[size] = json.loads(out.splitlines()[-1])
            results[size]["cold_list"] = _cold_list(path)
            if size == sizes[0]:
                results[size]["cli_list"] = _cli_list(path)
            print(
                f"... {size} tickets done (filled in {results[size]['fill_s']:.1f} s)",
                file=sys.stderr,
            )

    ops = ["create", "get", "update", "comment", "list", "cold_list", "fs_create"]
    header = f"{'tickets':>8} " + " ".join(f"{op + ' ms':>12}" for op in ops) + f" {'peak MB':>8}"
    print(
        "median per operation (list: status+assignee, first page of 50, warm; "
        "cold_list: a fresh process opens the store and lists, wall time; "
        "fs_create: this disk's own cost of creating one small file)"
    )
    print(header)
    for size in sizes:
        row = results[size]
        cells = " ".join(f"{row[op]:>12.3f}" for op in ops)
        print(f"{size:>8} {cells} {row['peak_rss_mb']:>8.1f}")
    first, last = sizes[0], sizes[-1]
    ratios = " ".join(f"{results[last][op] / results[first][op]:>12.2f}" for op in ops)
    print(f"{f'{last}/{first}':>8} {ratios}")
    if "cli_list" in results[first]:
        print(
            f"`ticket-bridge list` on {first} tickets: {results[first]['cli_list']:.0f} ms "
            "(median of 5, wall)"
        )


if __name__ == "__main__":
    main()
