"""A sync killed with SIGKILL half-way, then run again: nothing duplicated, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.rig import SECRETS, TRACKERS, rig

COUNT = 120
# A sync that SIGKILLs itself inside the window that matters: the write to the other side
# has landed, the link that records it has not.
KILLER = """
import os, signal, sys
from bridge.cli import main
from bridge.sync.state import SyncState

method, at = sys.argv[2], int(sys.argv[3])
real = getattr(SyncState, method)
calls = [0]

def dying(self, *args, **kwargs):
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, *args, **kwargs)

setattr(SyncState, method, dying)
sys.exit(main(["sync", sys.argv[1]]))
"""
STAGES = {  # pull: 120 local creates then 120 merges; push: 121 creates; then comments
    "pull-create": ("put_link", 60),
    "push-create": ("put_link", 300),
    "push-comment": ("put_comment_link", 16),
}


def _titles(tickets: object) -> list[str]:
    return sorted(t.title for t in tickets)  # type: ignore[attr-defined]


@pytest.mark.parametrize("tracker", TRACKERS)
@pytest.mark.parametrize("stage", sorted(STAGES))
def test_sigkill_half_way_then_again(tracker: str, stage: str, tmp_path: Path) -> None:
    with rig(tracker, tmp_path) as r:
        for i in range(COUNT):
            remote = r.remote.create_ticket(f"remote {i}")
            if i % 10 == 0:
                r.remote.add_comment(remote.id, f"remote note {i}", author="alice")
        parent = r.local.create_ticket("local parent")
        for i in range(COUNT):
            made = r.local.create_ticket(f"local {i}", parent_id=parent.id if i % 4 else None)
            if i % 10 == 0:
                r.local.add_comment(made.id, f"local note {i}", author="agent")
        env = {**os.environ, **SECRETS, "TICKET_BRIDGE_CONFIG": str(r.config_path)}
        errors = tmp_path / "stderr.txt"
        with errors.open("wb") as sink:
            method, at = STAGES[stage]
            proc = subprocess.Popen(
                [sys.executable, "-c", KILLER, tracker, method, str(at)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
            proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL, errors.read_text()[-2000:]
        report = r.sync()
        assert not report.problems, report.problems
        everything = [f"remote {i}" for i in range(COUNT)] + [f"local {i}" for i in range(COUNT)]
        expected = sorted([*everything, "local parent"])
        assert _titles(r.local.iter_tickets()) == expected
        assert _titles(r.remote.iter_tickets()) == expected
        pairs = r.pairs()
        assert len(pairs) == len(expected)
        for local, remote in pairs:
            here = sorted((c.author, c.body) for c in r.local.list_comments(local.id))
            there = sorted((c.author, c.body) for c in r.remote.list_comments(remote.id))
            assert here == there, local.title
            assert len(set(here)) == len(here), f"a comment on {local.title} is doubled"
        children = [lt for lt, _ in pairs if lt.parent_id]
        assert all(rt.parent_id for lt, rt in pairs if lt.parent_id)
        assert len(children) == COUNT - COUNT // 4
        r.clear()
        r.sync()
        assert r.writes() == []
        late = r.remote.create_ticket("after the crash")
        assert r.sync().created_local == [late.id]
