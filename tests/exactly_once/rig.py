"""One resilient service over a tracker that fails on command, for the machines and the bench.

A :class:`Rig` holds the service as the factory builds it (retry, fallback to a local store,
the durable outbox), with sleeping, the clock and the random source injected, over one of:

- ``local``: the :class:`~tests.exactly_once.doubles.ChaosAdapter` double;
- ``github``: the loopback GitHub fake;
- ``jira-cloud`` / ``jira-server``: the loopback Jira fake.

Faults are named the same way on every backend (:class:`~tests.exactly_once.doubles.Fault`).
An armed fault waits for the requests it matches; a ``step`` fault waits for an operation
with that many writes (:meth:`Rig.next_op` starts its count again); an outage lasts until it
is ended; :meth:`Rig.heal` ends everything but the late writes, which still land.
:meth:`Rig.state` reads the tracker past every fault, as views keyed by title, to compare
with the model.
"""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from adapters.github import _body as github_body
from adapters.github import _mapping as github_mapping
from adapters.github import _payload as github_payload
from adapters.jira import _mapping as jira_mapping
from adapters.local_json import LocalJsonService
from bridge.outbox import Outbox
from bridge.resilience import ResilientService
from bridge.retry import RetryPolicy
from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.contract.test_jira import jira_service
from tests.exactly_once.crash import KillSwitch
from tests.exactly_once.doubles import ChaosAdapter, Fault
from tests.exactly_once.model import View
from tests.fakes.base import WRITE_METHODS, FakeApp, FakeServer, Request
from tests.fakes.base import Fault as HttpFault
from tests.fakes.github_fake import GitHubFakeApp
from tests.fakes.jira_fake import JiraFakeApp

__all__ = ["ATTEMPTS", "BACKENDS", "MAX_WAIT", "POLICY", "ChaosServer", "Rig", "make_rig"]

ATTEMPTS = 3
MAX_WAIT = 10.0
SETTLE = MAX_WAIT  # the tracker applies a request it took within this many seconds, or never
POLICY = RetryPolicy(
    attempts=ATTEMPTS,
    initial_wait=0.5,
    max_wait=MAX_WAIT,
    deadline=3600,
    jitter=0.5,
    settle=SETTLE,
)
PROBE_INTERVAL = 30.0
SEARCH = re.compile(r"/search(/jql)?$")
BACKENDS = ("local", "github", "jira-cloud", "jira-server")


class ChaosServer(FakeServer):
    """A fake's server with an outage switch, an outage that starts after a number of
    requests, and faults that let some writes through first (a multi-request operation
    failing between its steps). A Jira search sent as a POST counts as a read."""

    def __init__(self, app: FakeApp) -> None:
        super().__init__(app)
        self.down = False
        self.down_in: int | None = None
        self.steps: list[list[Any]] = []  # [writes still to let through, fault, writes]
        self.kinds: dict[int, str] = {}
        self.hits: Counter[str] = Counter()
        self._chaos = threading.Lock()
        # a shorter poll than the base server's: every example starts and stops a server
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.002}, daemon=True
        )

    def arm(self, kind: str, fault: HttpFault, *, skip: int = 0) -> None:
        with self._chaos:
            self.kinds[id(fault)] = kind
            if skip:
                self.steps.append([skip, fault, skip])
                return
        self.inject(fault)

    def next_op(self, *, keep: bool = True) -> None:
        """An operation ended: used-up faults go (all of them unless ``keep``); step faults
        count writes afresh."""
        with self._chaos:
            self.steps = [[n, f, n] for _, f, n in self.steps if keep and f.times > 0]
        with self._lock:
            self.faults = [f for f in self.faults if keep and f.times > 0]

    def disarm(self) -> None:
        self.clear_faults()
        with self._chaos:
            self.steps.clear()
            self.kinds = {}

    def take_fault(self, req: Request) -> HttpFault | None:
        if req.method == "POST" and SEARCH.search(req.path):  # Jira searches by POST: a read
            req = dataclasses.replace(req, method="GET")
        with self._chaos:
            if self.down_in is not None:
                self.down_in -= 1
                if self.down_in < 0:
                    self.down, self.down_in = True, None
            if self.down:
                self.hits["outage"] += 1
                return HttpFault(
                    status=503, body={"message": "Service Unavailable", "errorMessages": []}
                )
            if req.method in WRITE_METHODS:
                for held in self.steps:
                    if held[0] > 0:
                        held[0] -= 1
                        break
                    if held[1].times > 0:
                        held[1].times -= 1
                        self.hits[self.kinds.get(id(held[1]), "step")] += 1
                        return held[1]
        fault = super().take_fault(req)
        if fault is not None:
            with self._chaos:
                self.hits[self.kinds.get(id(fault), fault.kind)] += 1
        return fault


class Rig:
    """A resilient service over one backend, with its controls."""

    name: str
    notes: bool = False  # the tracker posts resolution notes as comments

    def __init__(self, root: Path, remote: TicketingService, *, seed: int) -> None:
        self.root = root
        self.sleeps: list[float] = []
        self.clock = [0.0]
        self.seed = seed
        self.switch = KillSwitch(remote.adapter)
        self.remote = TicketingService(self.switch)
        self.local, self.outbox, self.service = self.process()

    def process(self) -> tuple[LocalJsonService, Outbox, ResilientService]:
        """A process's own objects over the rig's local store and outbox (and tracker)."""
        local = LocalJsonService(self.root / "local")
        outbox = Outbox(self.root / "local" / "outbox.sqlite3")
        service = ResilientService(
            self.remote,
            policy=POLICY,
            local=local,
            outbox=outbox,
            sleep=self.sleep,
            probe_interval=PROBE_INTERVAL,
            clock=lambda: self.clock[0],
            rng=random.Random(self.seed + self.switch.kills),
        )
        return local, outbox, service

    def restart(self) -> None:
        """The process was killed: what it held in memory is gone, and a new one opens the
        same local store and outbox (their files only, nothing flushed on the way out)."""
        self.local.close()
        self.outbox.close()
        self.local, self.outbox, self.service = self.process()

    def sleep(self, seconds: float) -> None:
        """The service waits: recorded, and the clock moves on."""
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Time passes. A tracker applies a request it took within ``SETTLE`` seconds or
        never: once that much time has passed, every late write has landed."""
        self.clock[0] += seconds
        if seconds >= SETTLE:
            self.land_late()

    # the controls every backend has
    def arm(self, fault: Fault) -> None:
        raise NotImplementedError

    def next_op(self, *, keep: bool = True) -> None:
        """An operation ended (see the module docstring); ``keep=False`` forgets every
        armed fault, used or not."""
        raise NotImplementedError

    def outage(self, on: bool) -> None:
        raise NotImplementedError

    def outage_in(self, calls: int) -> None:
        """An outage that starts after ``calls`` more calls or requests."""
        raise NotImplementedError

    def heal(self) -> None:
        """End the outage and forget armed faults; late writes still land."""
        raise NotImplementedError

    def land_late(self) -> int:
        raise NotImplementedError

    def hits(self) -> Counter[str]:
        raise NotImplementedError

    def state(self) -> dict[str, list[View]]:
        raise NotImplementedError

    def close(self) -> None:
        self.service.close()


class LocalRig(Rig):
    """The :class:`ChaosAdapter` double as the tracker."""

    name = "local"

    def __init__(self, root: Path, *, seed: int = 0) -> None:
        self.double = ChaosAdapter(root / "remote")
        super().__init__(root, TicketingService(self.double), seed=seed)

    def arm(self, fault: Fault) -> None:
        self.double.arm(fault)

    def next_op(self, *, keep: bool = True) -> None:
        self.double.next_op(keep=keep)

    def outage(self, on: bool) -> None:
        self.double.down = on
        self.double.down_in = None

    def outage_in(self, calls: int) -> None:
        self.double.down_in = calls

    def heal(self) -> None:
        self.double.heal()

    def land_late(self) -> int:
        return self.double.land_late()

    def hits(self) -> Counter[str]:
        return self.double.hits

    def state(self) -> dict[str, list[View]]:
        tickets = self.double.everything()
        title = {t.id: t.title for t in tickets}
        found: dict[str, list[View]] = {}
        for t in tickets:
            comments = self.double.peek_comments(t.id)
            found.setdefault(t.title, []).append(
                View(
                    title=t.title,
                    status=t.status.value,
                    priority=t.priority.value,
                    parent=title.get(t.parent_id or "", t.parent_id),
                    deps=tuple(sorted(title.get(d, d) for d in t.dependencies)),
                    comments=tuple((c.author, c.body) for c in comments),
                )
            )
        return found


class HttpRig(Rig):
    """A loopback fake as the tracker."""

    app: GitHubFakeApp | JiraFakeApp

    def __init__(self, root: Path, server: ChaosServer, remote: TicketingService, seed: int):
        self.server = server
        super().__init__(root, remote, seed=seed)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.server.stop()

    def arm(self, fault: Fault) -> None:
        body = {"message": "Server Error", "errorMessages": ["Server Error"]}
        kind, times, writes_only = fault.kind, fault.times, fault.writes_only
        if kind == "before":
            made = HttpFault(status=fault.status, body=body, times=times, writes_only=writes_only)
        elif kind == "reset":
            made = HttpFault(kind="reset", times=times, writes_only=writes_only)
        elif kind == "after":
            made = HttpFault(kind="drop_after", times=times, writes_only=writes_only)
        elif kind == "late":
            made = HttpFault(kind="late", after=fault.after, times=times, writes_only=writes_only)
        elif kind == "step":
            made = HttpFault(status=503, body=body, times=times, writes_only=True)
            self.server.arm(kind, made, skip=max(fault.step, 1) - 1)
            return
        elif kind in ("limit", "secondary"):
            made = self._limit(fault)
        else:
            raise ValueError(f"no fault kind {kind!r}")
        self.server.arm(kind, made)

    def _limit(self, fault: Fault) -> HttpFault:
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        return HttpFault(
            status=429,
            headers=headers,
            body={"message": "rate limited", "errorMessages": ["Rate limit exceeded."]},
            times=fault.times,
            writes_only=fault.writes_only,
        )

    def next_op(self, *, keep: bool = True) -> None:
        self.server.next_op(keep=keep)

    def outage(self, on: bool) -> None:
        self.server.down = on
        self.server.down_in = None

    def outage_in(self, calls: int) -> None:
        self.server.down_in = calls

    def heal(self) -> None:
        self.server.disarm()
        self.outage(False)

    def land_late(self) -> int:
        return self.server.land_late()

    def hits(self) -> Counter[str]:
        return self.server.hits


class GitHubRig(HttpRig):
    name = "github"
    notes = True

    def __init__(self, root: Path, *, seed: int = 0) -> None:
        self.app = GitHubFakeApp()
        server = ChaosServer(self.app)
        self.app.base_url = server.url
        server.start()
        remote = github_service(server.url, timeout=1)
        self.config = remote.adapter.config
        super().__init__(root, server, remote, seed)

    def _limit(self, fault: Fault) -> HttpFault:
        if fault.kind != "secondary":
            return super()._limit(fault)
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        return HttpFault(
            status=403,
            headers=headers,
            body={"message": "You have exceeded a secondary rate limit."},
            times=fault.times,
            writes_only=fault.writes_only,
        )

    def state(self) -> dict[str, list[View]]:
        """The fake's issues, each read as the adapter reads its payload (no request)."""
        config = self.config
        issues = dict(self.app.issues)
        title = {str(n): i.title for n, i in issues.items()}
        found: dict[str, list[View]] = {}
        for number, issue in issues.items():
            ticket = github_mapping.issue_to_ticket(
                github_payload.issue(self.app.render(issue)), config
            )
            raw = [self.app.render_comment(issue, c) for c in issue.comments]
            notes = [
                c["body"].split("**Resolution:** ", 1)[-1]
                for c in raw
                if c["body"].startswith(github_body.RESOLUTION_MARK)
            ]
            comments = [
                github_mapping.parse_comment(github_payload.comment(c), str(number)) for c in raw
            ]
            found.setdefault(issue.title, []).append(
                View(
                    title=issue.title,
                    status=ticket.status.value,
                    priority=ticket.priority.value,
                    parent=None if issue.parent is None else title[str(issue.parent)],
                    deps=tuple(sorted(title[str(n)] for n in issue.blocked_by)),
                    comments=tuple((c.author, c.body) for c in comments if c is not None),
                    notes=tuple(notes),
                    deps_read=tuple(sorted(title.get(d, d) for d in ticket.dependencies)),
                )
            )
        return found


class JiraRig(HttpRig):
    def __init__(self, root: Path, *, mode: str = "cloud", seed: int = 0) -> None:
        self.name = f"jira-{mode}"
        self.mode = mode
        self.app = JiraFakeApp(mode)
        server = ChaosServer(self.app)
        self.app.base_url = server.url
        server.start()
        remote = jira_service(server.url, mode, timeout=1)
        self.config = remote.adapter.config
        super().__init__(root, server, remote, seed)

    def state(self) -> dict[str, list[View]]:
        """The fake's issues, each read as the adapter reads its payload (no request)."""
        config, version = self.config, "3" if self.mode == "cloud" else "2"
        issues = dict(self.app.issues)
        title = {k: i.fields["summary"] for k, i in issues.items()}
        found: dict[str, list[View]] = {}
        for key, issue in issues.items():
            payload = self.app.render(issue, version, [config.property_key])
            ticket = jira_mapping.issue_to_ticket(payload, config)
            comments = [
                jira_mapping.parse_comment(
                    {
                        "id": c["id"],
                        "body": c["body"],
                        "author": {"displayName": c["author"]},
                        "created": c["created"],
                    },
                    key,
                )
                for c in issue.comments
            ]
            parent = issue.fields.get("parent")
            blockers = [a for a, b in self.app.links.values() if b == key]
            found.setdefault(title[key], []).append(
                View(
                    title=title[key],
                    status=ticket.status.value,
                    priority=ticket.priority.value,
                    parent=None if parent is None else title[parent],
                    deps=tuple(sorted(title[a] for a in blockers)),
                    comments=tuple((c.author, c.body) for c in comments),
                )
            )
        return found


def make_rig(backend: str, root: Path, *, seed: int = 0) -> Rig:
    """The rig for ``local``, ``github``, ``jira-cloud`` or ``jira-server``."""
    root.mkdir(parents=True, exist_ok=True)
    if backend == "local":
        return LocalRig(root, seed=seed)
    if backend == "github":
        return GitHubRig(root, seed=seed)
    if backend in ("jira-cloud", "jira-server"):
        return JiraRig(root, mode=backend.split("-", 1)[1], seed=seed)
    raise ValueError(f"no backend {backend!r}; one of {', '.join(BACKENDS)}")
