"""A local store, a tracker fake and the sync between them, for scenario tests and benches."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters.local_json import LocalJsonService
from bridge.config import Config, parse_config
from bridge.models import Ticket
from bridge.service import TicketingService
from bridge.sync import SyncReport, open_sync
from tests.contract.test_github import github_service
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeApp, FakeServer
from tests.fakes.github_fake import start_github_fake
from tests.fakes.jira_fake import start_jira_fake

TRACKERS = ("github", "jira")
SECRETS = {"GITHUB_TOKEN": "t0ken", "JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "t0k"}


class Rig:
    """``sync()`` as the CLI runs it; ``local`` and ``remote`` are the two sides as people
    (or other programs) edit them, each through its own adapter."""

    def __init__(self, tracker: str, root: Path) -> None:
        self.tracker = tracker
        self.root = root
        if tracker == "github":
            self.server, self.app = start_github_fake()
            section = (
                f'type = "github"\nrepo = "octo/tickets"\nbase_url = "{self.server.url}/api/v3"\n'
                "seconds_between_requests = 0\nseconds_between_writes = 0\n"
            )
            self.remote: TicketingService = github_service(self.server.url)
        else:
            self.server, self.app = start_jira_fake("cloud")
            section = f'type = "jira"\nserver = "{self.server.url}"\nproject = "TB"\n'
            self.remote = jira_service(self.server.url, "cloud")
        text = (
            f'[bridge]\ntracker = "{tracker}"\n[trackers.{tracker}]\n{section}'
            '[trackers.local]\ntype = "local_json"\npath = "store"\n'
            "[retry]\nattempts = 2\ninitial_wait = 0\nmax_wait = 0.01\n"
        )
        (root / "ticket-bridge.toml").write_text(text)
        self.config_path = root / "ticket-bridge.toml"
        self.local = LocalJsonService(root / "store")
        for key, value in SECRETS.items():
            os.environ.setdefault(key, value)

    @property
    def config(self) -> Config:
        import tomllib

        return parse_config(tomllib.loads(self.config_path.read_text()), source=self.config_path)

    def sync(self, **options: Any) -> SyncReport:
        run = {k: options.pop(k) for k in ("pull", "push", "full") if k in options}
        with open_sync(self.config, self.tracker, **options) as session:
            return session.syncer.run(**run)

    def writes(self) -> list[str]:
        """The write requests the fake has logged since the last ``clear``."""
        return [
            f"{e.method} {e.path}"
            for e in self.server.log
            if e.method != "GET" and not e.path.endswith(("/search", "/search/jql"))
        ]

    def clear(self) -> None:
        self.server.clear_log()

    def close(self) -> None:
        self.remote.close()
        self.local.close()
        self.server.stop()

    # ------------------------------------------------------------ comparing the two sides

    def pairs(self) -> list[tuple[Ticket, Ticket]]:
        """Every linked (local, remote) pair, read fresh from both sides."""
        with open_sync(self.config, self.tracker, dry_run=True) as session:
            links = session.state.links()
        remote = {t.id: t for t in self.remote.iter_tickets()}
        return [(self.local.get_ticket(k.local_id), remote[k.remote_id]) for k in links]

    def remote_to_local(self) -> dict[str, str]:
        with open_sync(self.config, self.tracker, dry_run=True) as session:
            return session.state.id_maps()[1]


@contextmanager
def rig(tracker: str, root: Path) -> Iterator[Rig]:
    r = Rig(tracker, root)
    try:
        yield r
    finally:
        r.close()


def same_fields(local: Ticket, remote: Ticket, to_local: dict[str, str]) -> list[str]:
    """The synced fields that differ between a local ticket and its tracker ticket."""

    def mapped(x: str | None) -> str | None:
        return None if x is None else to_local.get(x, f"?{x}")

    pairs: dict[str, tuple[Any, Any]] = {
        "title": (local.title, remote.title),
        "description": (local.description, remote.description),
        "status": (local.status, remote.status),
        "priority": (local.priority, remote.priority),
        "type": (local.type, remote.type),
        "assignee": (local.assignee, remote.assignee),
        "labels": (sorted(local.labels), sorted(remote.labels)),
        "metadata": (local.metadata, remote.metadata),
        "parent": (local.parent_id, mapped(remote.parent_id)),
        "dependencies": (
            sorted(local.dependencies),
            sorted(mapped(d) for d in remote.dependencies),
        ),
    }
    return [name for name, (a, b) in pairs.items() if a != b]


__all__ = ["TRACKERS", "FakeApp", "FakeServer", "Rig", "rig", "same_fields"]
