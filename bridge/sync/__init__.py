"""Two-way incremental sync of the local store with GitHub Issues or Jira.

``ticket-bridge sync TRACKER`` (or :func:`open_sync`) keeps the local store and a tracker in
step: what was created or edited on either side since the last run crosses over once, field by
field, comments and links included. See :mod:`bridge.sync.engine` for how one run goes and
:mod:`bridge.sync.state` for what is remembered between runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bridge.errors import ConfigError, TransientError
from bridge.lockfile import ProcessLock
from bridge.service import TicketingService
from bridge.sync.engine import Progress, Syncer
from bridge.sync.merge import POLICIES, Policy
from bridge.sync.report import SyncReport
from bridge.sync.state import Conflict, SyncState

if TYPE_CHECKING:
    from bridge.config import Config
    from bridge.resilience import FallbackAdapter, ResilientService

__all__ = [
    "POLICIES",
    "Conflict",
    "Policy",
    "SyncReport",
    "SyncSession",
    "SyncState",
    "Syncer",
    "open_sync",
    "syncer_for",
]


@dataclass
class SyncSession:
    """A ready :class:`Syncer` and what it was built from."""

    syncer: Syncer
    state: SyncState
    replayed: int


@contextmanager
def open_sync(
    config: Config,
    tracker: str | None = None,
    *,
    policy: Policy | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    wait: bool = False,
) -> Iterator[SyncSession]:
    """Build the syncer for ``[trackers.<tracker>]`` and the local store beside it.

    One sync at a time per store and tracker: a second raises :class:`~bridge.lockfile.Busy`
    naming the first one's pid (``wait=True`` waits for it). The outbox of operations
    queued while the tracker was down is replayed first (so that nothing is created twice);
    if the tracker is still unreachable, ``TransientError``.
    """
    from bridge.factory import store_root
    from bridge.resilience import ResilientService

    name, fallback, service = _fallback_of(config, tracker)
    root = store_root(fallback.local, config)
    try:
        with ProcessLock(root / f"sync-{name}.lock", what=f"sync with {name}", wait=wait):
            replayed = 0 if dry_run else _replay_first(service, name)
            remote = ResilientService(service.remote, policy=config.retry)
            state = SyncState(root / f"sync-{name}.sqlite3", remote.sync_scope)
            try:
                overlap = config.sync.overlap_seconds
                syncer = syncer_for(
                    fallback,
                    remote,
                    state,
                    name=name,
                    policy=policy or config.sync.policy,
                    overlap=remote.sync_overlap if overlap is None else timedelta(seconds=overlap),
                    dry_run=dry_run,
                    progress=progress,
                )
                _report_dead(syncer, fallback, name)
                yield SyncSession(syncer, state, replayed)
            finally:
                state.close()
    finally:
        service.close()


def syncer_for(
    fallback: FallbackAdapter,
    remote: TicketingService,
    state: SyncState,
    *,
    name: str,
    policy: Policy = "newer",
    overlap: timedelta | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Syncer:
    """The syncer between ``fallback``'s local store and ``remote``, knowing what the
    outbox's replay delivered: the tracker ids of tickets and comments made while the
    tracker was down, so that none of them is sent a second time."""
    syncer = Syncer(
        TicketingService(fallback.local),
        remote,
        state,
        name=name,
        policy=policy,
        overlap=remote.adapter.sync_overlap if overlap is None else overlap,
        dry_run=dry_run,
        progress=progress,
    )
    syncer.adopt(fallback.outbox.idmap())
    syncer.adopt_comments(fallback.outbox.comment_map())
    return syncer


def _report_dead(syncer: Syncer, fallback: FallbackAdapter, name: str) -> None:
    dead = fallback.outbox.dead_count()
    if dead:
        syncer.report.problems.append(
            f"{dead} outbox entries were refused by {name} and wait for you: ticket-bridge outbox"
        )


def _fallback_of(
    config: Config, tracker: str | None
) -> tuple[str, FallbackAdapter, ResilientService]:
    """The tracker's name, its fallback adapter and the service over it; a sync needs both."""
    from bridge.factory import build_service
    from bridge.resilience import ResilientService

    name, _ = config.tracker_section(tracker)
    if config.tracker_type(name) == "local_json":
        raise ConfigError(
            f"[trackers.{name}] is the local store itself: name a github or jira tracker "
            "to sync it with"
        )
    service = build_service(config, name)
    if not isinstance(service, ResilientService) or service.fallback is None:
        service.close()
        raise ConfigError(
            f"{config.where}: sync keeps the tracker in step with the local store; "
            "set [fallback] enabled = true and store = a local_json tracker"
        )
    return name, service.fallback, service


def _replay_first(service: ResilientService, name: str) -> int:
    """Replay the outbox so nothing is created twice; how many operations were sent."""
    if service.outbox is None or not len(service.outbox):
        return 0
    report = service.replay()
    if report.remaining:
        raise TransientError(
            f"{report.remaining} queued operations could not be replayed "
            f"({report.error}); sync again when {name} is reachable",
            adapter=name,
        )
    return report.sent
