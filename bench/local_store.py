"""Benchmark of the local JSON store, side by side with mcp-ticketer's local adapter.

    python bench/local_store.py [--sizes 1000,10000,100000] [--samples 500]

For each size a fresh process fills a store (and, when mcp-ticketer is installed, for example
with ``pip install -e '.[bench]'``, an mcp-ticketer ``aitrackdown`` store with the same
tickets), then times single operations, alternating between the two so that both see the same
machine load, and prints medians in ms. Fresh processes then time the first list of a new
process, ``--json list --all``, ``--help`` and ``list``. Every figure is printed with its
target. Figures are medians because the machines are shared and noisy; a create's mean is
shown too, since it carries the journal's batches (see adapters/local_json/_journal.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AGENTS = [f"agent{i}" for i in range(20)]
STATUSES = ["open", "in_progress", "blocked", "resolved", "closed"]
PRIORITIES = ["low", "medium", "high", "critical"]
CLI = [sys.executable, "-m", "bridge"]


def _ticket(i: int) -> dict[str, Any]:
    return {
        "title": f"Task {i}: investigate component {i % 97}",
        "description": "Steps to reproduce and context.",
        "status": STATUSES[(i // 20) % 5],
        "priority": PRIORITIES[i % 4],
        "assignee": AGENTS[i % len(AGENTS)],
        "labels": [f"area:{i % 7}"],
    }


def _median_ms(fn: Callable[[int], object], samples: int) -> float:
    times = []
    for i in range(samples):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


class Mcp:
    """mcp-ticketer 2.3.19's local adapter (``aitrackdown``), driven on one event loop."""

    def __init__(self, path: Path) -> None:
        from mcp_ticketer.adapters.aitrackdown import AITrackdownAdapter
        from mcp_ticketer.core.models import Priority, Task, TicketState

        self.adapter = AITrackdownAdapter({"base_path": str(path)})
        self.task, self.state, self.priority = Task, TicketState, Priority
        self.loop = asyncio.new_event_loop()

    def _task(self, fields: dict[str, Any]) -> Any:
        status = fields.get("status", "open")
        return self.task(
            title=fields["title"],
            description=fields.get("description", ""),
            state={"resolved": "done"}.get(status, status),
            priority=fields.get("priority", "medium"),
            assignee=fields.get("assignee"),
            tags=fields.get("labels", []),
        )

    def timed_create(self, fields: dict[str, Any]) -> float:
        async def one() -> float:
            start = time.perf_counter()
            await self.adapter.create(self._task(fields))
            return time.perf_counter() - start

        return self.loop.run_until_complete(one())

    def fill(self, size: int) -> None:
        async def run() -> None:
            for i in range(size):
                await self.adapter.create(self._task(_ticket(i)))

        self.loop.run_until_complete(run())

    def filtered_ms(self) -> float:
        filters = {"state": self.state.OPEN, "priority": self.priority.HIGH}
        start = time.perf_counter()
        self.loop.run_until_complete(self.adapter.list(limit=50, offset=0, filters=filters))
        return (time.perf_counter() - start) * 1000


def _mcp(path: Path) -> Mcp | None:
    try:
        return Mcp(path)
    except ImportError:
        return None


def worker(size: int, samples: int, path: Path) -> dict[str, float]:
    """Fill both stores to ``size`` tickets and time each operation (in its own process)."""
    sys.path.insert(0, str(ROOT))
    from adapters.local_json import LocalJsonService

    rng = random.Random(size)
    service = LocalJsonService(path / "tickets-bridge")
    mcp = _mcp(path / "mcp")
    start = time.perf_counter()
    ids = [service.create_ticket(**_ticket(i)).id for i in range(size)]
    figures: dict[str, float] = {"fill_s": time.perf_counter() - start}
    if mcp is not None:
        mcp.fill(size)
    ours, theirs = [], []
    for i in range(samples):
        begin = time.perf_counter()
        service.create_ticket(f"Bench create {i}")
        ours.append(time.perf_counter() - begin)
        if mcp is not None:
            theirs.append(mcp.timed_create({"title": f"Bench create {i}"}))
    figures["create"] = statistics.median(ours) * 1000
    figures["create_mean"] = statistics.mean(ours) * 1000
    if theirs:
        figures["mcp_create"] = statistics.median(theirs) * 1000
        figures["mcp_create_mean"] = statistics.mean(theirs) * 1000
    figures["get"] = _median_ms(lambda i: service.get_ticket(rng.choice(ids)), samples)
    figures["update"] = _median_ms(
        lambda i: service.update_ticket(rng.choice(ids), priority=["low", "high"][i % 2]), samples
    )
    figures["comment"] = _median_ms(
        lambda i: service.add_comment(rng.choice(ids), f"progress {i}", author="bench"), samples
    )
    service.list_tickets(status="open", priority="high", limit=50)  # applies the journal
    figures["filter"] = _median_ms(
        lambda i: service.list_tickets(status="open", priority=PRIORITIES[i % 4], limit=50), 50
    )
    page = service.list_tickets(status="open", limit=50)
    figures["next_page"] = _median_ms(
        lambda i: service.list_tickets(status="open", limit=50, cursor=page.next_cursor), 50
    )
    if mcp is not None and size <= 10_000:
        figures["mcp_filter"] = statistics.median(mcp.filtered_ms() for _ in range(3))
    service.close()
    return figures


# ---------------------------------------------------------------- fresh processes


def _run(cmd: list[str], **kwargs: Any) -> tuple[float, float, float, str]:
    """Wall s, CPU s and peak RSS MB of one child (its own rusage), and its stdout."""
    start = time.perf_counter()
    kwargs.setdefault("stdout", subprocess.PIPE)
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, **kwargs)
    out = proc.stdout.read().decode() if proc.stdout is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, cmd
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


_COLD = (
    "import sys, time; sys.path.insert(0, {root!r})\n"
    "from adapters.local_json import LocalJsonService\n"
    "start = time.perf_counter()\n"
    "page = LocalJsonService({path!r}).list_tickets(status='open', priority='high', limit=50)\n"
    "print((time.perf_counter() - start) * 1000, len(page))\n"
)


def cold_list(path: Path) -> float:
    """Opening the store and its first list in a new process (imports aside), median of 5."""
    code = _COLD.format(root=str(ROOT), path=str(path))
    return statistics.median(
        float(_run([sys.executable, "-c", code])[3].split()[0]) for _ in range(5)
    )


def noticed_by_hand(path: Path) -> bool:
    """A file added and the oldest ticket edited in place, by hand; then a new process
    finds the one and lists the other as edited."""
    head = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from adapters.local_json import LocalJsonService\n"
        f"s = LocalJsonService({str(path)!r})\n"
    )
    oldest = _run([sys.executable, "-c", head + "print(s.list_tickets(limit=1)[0].id)"])[3]
    tickets = path / "tickets"
    edited = tickets / f"{oldest.strip()}.json"
    doc = json.loads(edited.read_text())
    doc["title"] = "edited-in-place"
    edited.write_text(json.dumps(doc))  # in place: the directory does not change
    (tickets / "HAND-1.json").write_text(json.dumps({"id": "HAND-1", "title": "by-hand"}))
    code = head + "print(len(s.list_tickets(text='by-hand')), s.list_tickets(limit=1)[0].title)"
    out = _run([sys.executable, "-c", code])[3].split()
    (tickets / "HAND-1.json").unlink()
    return out == ["1", "edited-in-place"]


def _config(path: Path) -> str:
    config = path.parent / f"{path.name}.toml"
    config.write_text(f'[trackers.local]\ntype = "local_json"\npath = "{path}"\n')
    return str(config)


def cli_figures(path: Path, *, big: bool) -> dict[str, float]:
    """``--help`` against ``python -c pass``, ``list`` CPU, and on the big store
    ``--json list --all``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    config = _config(path)
    found: dict[str, float] = {}
    found["pass_cpu"] = statistics.median(_run([sys.executable, "-c", "pass"])[1] for _ in range(9))
    found["help_cpu"] = statistics.median(_run([*CLI, "--help"], env=env)[1] for _ in range(9))
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bridge", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    found["help_pydantic"] = float("pydantic" in imports)
    if not big:
        found["list_cpu"] = statistics.median(
            _run([*CLI, "--config", config, "list"], env=env)[1] for _ in range(5)
        )
        return found
    # Written to a file: a child's peak RSS on Linux starts from its parent's at the fork,
    # so this process must not hold the output it measures.
    out = path.parent / "all.json"
    runs = []
    for _ in range(3):
        with out.open("wb") as sink:
            runs.append(_run([*CLI, "--config", config, "--json", "list", "--all"], env=env,
                             stdout=sink))  # fmt: skip
    found["all_s"] = statistics.median(r[0] for r in runs)
    found["all_cpu"] = statistics.median(r[1] for r in runs)
    found["all_mb"] = max(r[2] for r in runs)
    with out.open() as stream:
        found["all_count"] = float(len(json.load(stream)["tickets"]))
    return found


# ---------------------------------------------------------------- the report


def _check(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(sizes: list[int], results: dict[int, dict[str, float]]) -> None:
    first, last = sizes[0], sizes[-1]
    print("medians in ms (mean in brackets); mcp = mcp-ticketer 2.3.19 aitrackdown, same run")
    heads = ("create", "mcp create", "ratio", "get", "update", "comment", "filter", "page 2")
    widths = (15, 15, 6, 7, 7, 7, 7, 7)
    print(f"{'tickets':>8} " + " ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
          + f" {'mcp filter':>10}")  # fmt: skip
    for size in sizes:
        r = results[size]
        mcp = r.get("mcp_create")
        ratio = f"{r['create'] / mcp:6.2f}" if mcp else "     -"
        theirs = f"{mcp:7.3f} ({r['mcp_create_mean']:.3f})" if mcp else f"{'-':>15}"
        mcp_filter = f"{r['mcp_filter']:10.1f}" if "mcp_filter" in r else f"{'-':>10}"
        print(
            f"{size:>8} {r['create']:7.3f} ({r['create_mean']:.3f}) {theirs} {ratio} "
            f"{r['get']:7.3f} {r['update']:7.3f} {r['comment']:7.3f} {r['filter']:7.3f} "
            f"{r['next_page']:7.3f} {mcp_filter}"
        )
    print("\nfigure                                              measured      target")
    for size, target in ((1000, 2.0), (10_000, 1.5)):
        r = results.get(size, {})
        if "mcp_create" in r:
            ratio = r["create"] / r["mcp_create"]
            print(f"create at {size:<6} / mcp-ticketer's (median)           {ratio:6.2f}x"
                  f"      <= {target}x   {_check(ratio <= target)}")  # fmt: skip
    flat = results[last]["filter"] / results[first]["filter"]
    page = results[last]["filter"]
    print(f"filter status+priority, first page, {last:<7} {page:9.3f} ms"
          f"   page-sized: {flat:.1f}x the {first}'s (<= 3x)  {_check(flat <= 3)}")  # fmt: skip
    cold = results[last]["cold_list"]
    print(f"first list in a new process at {last:<7}        {cold:9.1f} ms   <= 50 ms  "
          f"{_check(cold <= 50)}")  # fmt: skip
    seen = results[last]["noticed"] == 1.0
    print(f"  ... a file added and one edited by hand seen       {'yes' if seen else 'NO':>9}"
          f"      yes       {_check(seen)}")  # fmt: skip
    big = results[last]
    if "all_s" in big:
        count = f"({big['all_count']:.0f} tickets)"
        print(f"--json list --all at {last:<7} {count:<16} {big['all_s']:9.2f} s"
              f" wall ({big['all_cpu']:.2f} s CPU)"
              f"      < 2 s     {_check(big['all_s'] < 2)}")  # fmt: skip
        print(f"  ... peak memory                                 {big['all_mb']:8.0f} MB"
              f"     < 150 MB  {_check(big['all_mb'] < 150)}")  # fmt: skip
    small = results[first]
    times = small["help_cpu"] / small["pass_cpu"]
    print(
        f"ticket-bridge --help, CPU: {small['help_cpu'] * 1000:.0f} ms = {times:.1f}x "
        f"`python -c pass` ({small['pass_cpu'] * 1000:.0f} ms)        <= 3x     "
        f"{_check(times <= 3)}"
    )
    no_pydantic = small["help_pydantic"] == 0
    shown = "no" if no_pydantic else "YES"
    print(f"  ... imports pydantic                               {shown:>9}"
          f"      no        {_check(no_pydantic)}")  # fmt: skip
    print(f"ticket-bridge list on {first} tickets, CPU            {small['list_cpu']:7.3f} s"
          f"      <= 0.10 s {_check(small['list_cpu'] <= 0.10)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--worker", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), args.samples, Path(args.worker[1]))))
        return
    if _mcp(Path(tempfile.mkdtemp())) is None:
        print("mcp-ticketer is not installed (pip install -e '.[bench]'): no side by side")
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"store-{size}"
            path.mkdir()
            cmd = [sys.executable, __file__, "--samples", str(args.samples)]
            out = _run([*cmd, "--worker", str(size), str(path)])[3]
            results[size] = json.loads(out.splitlines()[-1])
            store = path / "tickets-bridge"
            results[size]["cold_list"] = cold_list(store)
            if size == sizes[-1]:
                results[size]["noticed"] = float(noticed_by_hand(store))
            results[size].update(cli_figures(store, big=size == sizes[-1] and size > sizes[0]))
            if size == sizes[0] and len(sizes) == 1:
                results[size].update(cli_figures(store, big=True))
            print(f"... {size} tickets done (filled in {results[size]['fill_s']:.1f} s)",
                  file=sys.stderr)  # fmt: skip
    report(sizes, results)


if __name__ == "__main__":
    main()
