"""Chaos run: thousands of operations at a seeded fault rate, then heal and compare.

    python bench/chaos.py                      # 2,000 operations on each of the four trackers
    python bench/chaos.py --ops 300 --tracker local,github --rate 0.5 --seed 7

Each tracker gets the same seeded schedule of operations (create, subtask, with a
dependency, already resolved, status, priority, close, comment and the same comment again,
add and remove a dependency, link a parent). Before an operation, with probability ``--rate``,
a fault is armed for it: an error before anything is applied (5xx, connection reset), a write
applied and its answer lost, a write that lands late (when the next request arrives, or a
few requests later), a failure between the steps of a multi-request operation, a 429 or
secondary rate limit with Retry-After, or an outage lasting a few operations, whose end may
cut a replay short. Time passes now and then, so the service probes and drains its outbox.

At the end every fault is healed, the outbox replayed, late writes land, and the tracker is
compared with the model, which applied the same schedule as a run with no fault would. The
table per tracker counts operations, faults by kind, operations that fell back to the local
store, and the duplicates, losses and order violations found. Nothing sleeps (waits are
recorded, the clock is a counter); ``--budget`` bounds the seconds spent per tracker.
Exit code 1 if any tracker shows a duplicate, a loss or an order violation.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.errors import BridgeError
from tests.exactly_once.doubles import Fault
from tests.exactly_once.driver import Driver, Unhealed
from tests.exactly_once.machine import scratch_dir
from tests.exactly_once.model import Diff
from tests.exactly_once.rig import ATTEMPTS, BACKENDS, make_rig

PRIORITIES = ("critical", "high", "medium", "low")
STATUSES = ("open", "in_progress", "blocked", "resolved", "closed")
AUTHORS = ("qa-agent", "engineer")
TEXTS = ("on it", "fixed")
RESOLUTIONS = ("Fixed in #9", "Won't fix")
OPS = {  # operation -> weight in the schedule
    "create": 3,
    "create_subtask": 1,
    "create_with_dependency": 1,
    "create_resolved": 1,
    "update_status": 2,
    "update_priority": 2,
    "close": 1,
    "comment": 3,
    "repeat_comment": 1,
    "add_dependency": 1,
    "remove_dependency": 1,
    "link_parent": 1,
}
FAULTS = {  # fault kind -> weight
    "before": 3,
    "reset": 2,
    "after": 2,
    "late": 3,
    "step": 2,
    "limit": 1,
    "secondary": 1,
    "outage": 1,
}
TICK_EVERY = 10  # operations between two probes of the outbox
REPLAY_EVERY = 50  # operations between two explicit replays


@dataclass
class Result:
    tracker: str
    ops: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    fallbacks: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    diffs: list[Diff] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str | None = None

    def count(self, family: str) -> int:
        return sum(d.count for d in self.diffs if d.family == family)

    @property
    def failed(self) -> bool:
        return any(self.count(f) for f in ("duplicate", "loss", "order"))


class Schedule:
    """The seeded sequence of operations and faults, the same for every tracker."""

    def __init__(self, run: Driver, rng: random.Random, rate: float, result: Result) -> None:
        self.run, self.rng, self.rate, self.result = run, rng, rate, result
        self.outage_left = 0

    def step(self, n: int) -> None:
        if n and n % TICK_EVERY == 0:
            self.run.tick()
        if n and n % REPLAY_EVERY == 0 and not self.run.down:
            self.run.replay()
        self._outage_clock()
        if self.rng.random() < self.rate:
            self._fault()
        self._operation()

    def _outage_clock(self) -> None:
        if not self.run.down:
            return
        self.outage_left -= 1
        if self.outage_left > 0:
            return
        if self.rng.random() < 0.5:  # the outage ends; a replay starts and is cut short
            self.run.outage(False)
            self.result.faults["interrupted replay"] += 1
            self.run.interrupted_replay(self.rng.randint(0, 8))
            self.outage_left = self.rng.randint(1, 3)
        else:
            self.run.outage(False)

    def _fault(self) -> None:
        rng = self.rng
        kind = rng.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
        if kind == "outage" and self.run.down:
            kind = "before"
        self.result.faults[kind] += 1
        if kind == "outage":
            self.run.outage(True)
            self.outage_left = rng.randint(1, 8)
            return
        times = ATTEMPTS if rng.random() < 0.3 else 1
        fault = Fault(kind, times=times, writes_only=rng.random() < 0.8)
        if kind == "before":
            fault.status = rng.choice((500, 502, 503))
        elif kind == "late":
            fault.after, fault.writes_only = rng.randint(0, 2), True
        elif kind == "step":
            fault = Fault("step", step=rng.randint(2, 3), times=times)
        elif kind in ("limit", "secondary"):
            fault.retry_after = rng.choice((1.0, 5.0, 60.0, None))
        self.run.arm(fault)

    def _operation(self) -> None:
        op = self.rng.choices(list(OPS), weights=list(OPS.values()))[0]
        self.result.ops += 1
        try:
            if not self._send(op):
                self.run.create(self.rng.choice(PRIORITIES))  # nothing fits: a create instead
        except BridgeError as exc:
            self.result.errors.append(f"{op}: {exc}")

    def _send(self, op: str) -> bool:
        """Send ``op`` on tickets it fits; False when no ticket fits it."""
        rng, run, model = self.rng, self.run, self.run.model
        n = len(model)
        if op == "create" or not n:
            return False
        one = rng.randrange(n)
        tops = [h for h in range(n) if model.top_level(h)]
        if op == "create_subtask":
            if not tops:
                return False
            run.create_subtask(rng.choice(tops))
        elif op == "create_with_dependency":
            run.create_with_dependency(one)
        elif op == "create_resolved":
            run.create_resolved()
        elif op == "update_status":
            run.update_status(one, rng.choice(STATUSES))
        elif op == "update_priority":
            run.update_priority(one, rng.choice(PRIORITIES))
        elif op == "close":
            run.close_ticket(one, rng.choice(RESOLUTIONS))
        elif op == "comment":
            run.comment(one, rng.choice(AUTHORS), rng.choice(TEXTS))
        else:
            return self._send_link(op, one)
        return True

    def _send_link(self, op: str, one: int) -> bool:
        rng, run, model = self.rng, self.run, self.run.model
        if op == "repeat_comment":
            commented = [h for h, t in enumerate(model.tickets) if t.comments]
            if not commented:
                return False
            ticket = rng.choice(commented)
            run.comment(ticket, *model.tickets[ticket].comments[-1])
        elif op == "add_dependency":
            other = rng.randrange(len(model))
            if other == one:
                return False
            run.add_dependency(max(one, other), min(one, other))
        elif op == "remove_dependency":
            pairs = [(h, d) for h, t in enumerate(model.tickets) for d in t.deps]
            if not pairs:
                return False
            run.remove_dependency(*rng.choice(pairs))
        elif op == "link_parent":
            parents = [p for p in range(len(model)) if model.may_parent(one, p)]
            if not parents:
                return False
            run.link_parent(one, rng.choice(parents))
        return True


def run_tracker(tracker: str, ops: int, rate: float, seed: int, budget: float) -> Result:
    result = Result(tracker)
    root = scratch_dir(f"tb-chaos-{tracker}-")
    started = time.perf_counter()
    rig = make_rig(tracker, root / "rig", seed=seed)
    run = Driver(rig, faults_wait=False)
    try:
        schedule = Schedule(run, random.Random(seed), rate, result)
        for n in range(ops):
            if time.perf_counter() - started > budget:
                result.stopped = f"stopped after {n} operations: --budget {budget:g} s"
                break
            schedule.step(n)
        result.fallbacks = run.fallbacks
        result.hits = Counter(rig.hits())
        try:
            result.diffs = run.heal()
        except Unhealed as exc:
            result.diffs = [Diff("lost", "outbox", str(exc), len(rig.outbox))]
    finally:
        run.close()
        shutil.rmtree(root, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


WHAT = {  # a difference's kind -> what it is about, in the breakdown of a count
    "duplicate": "tickets",
    "unexpected": "tickets",
    "lost": "tickets",
    "comment doubled": "comments",
    "comment lost": "comments",
    "comment order": "comments",
    "note doubled": "resolution notes",
    "note lost": "resolution notes",
    "field": "fields",
    "link": "links",
    "dead letter": "dead letters",
}


def _breakdown(result: Result, family: str) -> str:
    parts: Counter[str] = Counter()
    for d in result.diffs:
        if d.family == family:
            parts[WHAT.get(d.kind, d.kind)] += d.count
    total = sum(parts.values())
    detail = ", ".join(f"{what} {n}" for what, n in sorted(parts.items()))
    return f"{total}  ({detail})" if detail else str(total)


def _kinds(counts: Counter[str]) -> str:
    listed = " ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    return f"{sum(counts.values())}  ({listed})" if listed else "0"


def print_tracker(result: Result, rate: float, seed: int, show: int) -> None:
    print(f"\n{result.tracker}: {result.ops} operations, seed {seed}, fault rate {rate:.0%}")
    rows = [
        ("operations", str(result.ops)),
        ("faults", _kinds(result.faults)),
        ("failed requests", _kinds(result.hits)),
        ("fallbacks", str(result.fallbacks)),
        ("duplicates", _breakdown(result, "duplicate")),
        ("losses", _breakdown(result, "loss")),
        ("order violations", _breakdown(result, "order")),
        ("errors raised", str(len(result.errors))),
        ("wall time", f"{result.seconds:.1f} s"),
    ]
    for name, value in rows:
        print(f"  {name:<17} {value}")
    if result.stopped:
        print(f"  {result.stopped}")
    for line in [str(d) for d in result.diffs[:show]] + result.errors[:show]:
        print(f"    {line}")
    more = max(len(result.diffs) - show, 0) + max(len(result.errors) - show, 0)
    if more:
        print(f"    ... {more} more (--show N lists more)")


def print_summary(results: list[Result]) -> None:
    head = ("tracker", "ops", "faults", "fallbacks", "dup", "loss", "order", "seconds")
    print("\n" + "".join(f"{h:>12}" for h in head))
    for r in results:
        cells = (
            r.tracker,
            r.ops,
            sum(r.faults.values()),
            r.fallbacks,
            r.count("duplicate"),
            r.count("loss"),
            r.count("order"),
            f"{r.seconds:.1f}",
        )
        print("".join(f"{c!s:>12}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=2000, help="operations per tracker")
    parser.add_argument("--tracker", default=",".join(BACKENDS), help="comma-separated")
    parser.add_argument("--rate", type=float, default=0.3, help="fault rate per operation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per tracker")
    parser.add_argument("--show", type=int, default=5, help="differences listed per tracker")
    args = parser.parse_args(argv)
    trackers = [t.strip() for t in args.tracker.split(",") if t.strip()]
    unknown = [t for t in trackers if t not in BACKENDS]
    if unknown:
        parser.error(f"unknown tracker {', '.join(unknown)}; choose from {', '.join(BACKENDS)}")
    logging.disable(logging.WARNING)  # every fault logs a warning; the table says it all
    results = []
    for tracker in trackers:
        result = run_tracker(tracker, args.ops, args.rate, args.seed, args.budget)
        print_tracker(result, args.rate, args.seed, args.show)
        results.append(result)
    print_summary(results)
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
