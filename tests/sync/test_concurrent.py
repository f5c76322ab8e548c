"""Two syncs at once on one store and tracker: one runs, the other says who holds the lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.lockfile import Busy, ProcessLock
from tests.sync.rig import SECRETS, TRACKERS, rig


def _titles(tickets: object) -> list[str]:
    return sorted(t.title for t in tickets)  # type: ignore[attr-defined]


@pytest.mark.parametrize("tracker", TRACKERS)
def test_two_syncs_started_together_duplicate_nothing(tracker: str, tmp_path: Path) -> None:
    """Both started at once, five rounds: every ticket and comment exists once on each side;
    a run that found the lock held exits 1 naming the other's pid, and never writes."""
    with rig(tracker, tmp_path) as r:
        env = {**os.environ, **SECRETS, "TICKET_BRIDGE_CONFIG": str(r.config_path)}
        for round_ in range(5):
            for i in range(6):
                made = r.local.create_ticket(f"local {round_}.{i}")
                r.local.add_comment(made.id, f"note {round_}.{i}", author="agent")
                r.remote.create_ticket(f"remote {round_}.{i}")
            runs = [
                subprocess.Popen(
                    [sys.executable, "-m", "bridge", "sync"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            for run in runs:
                _, err = run.communicate(timeout=120)
                code = run.returncode
                assert code == 0 or "another sync with" in err, err
            r.sync()  # whichever run was turned away: catch up now
        expected = sorted(
            [f"local {a}.{b}" for a in range(5) for b in range(6)]
            + [f"remote {a}.{b}" for a in range(5) for b in range(6)]
        )
        assert _titles(r.local.iter_tickets()) == expected
        assert _titles(r.remote.iter_tickets()) == expected
        for local, remote in r.pairs():
            here = [(c.author, c.body) for c in r.local.list_comments(local.id)]
            there = [(c.author, c.body) for c in r.remote.list_comments(remote.id)]
            assert sorted(here) == sorted(there)
            assert len(set(there)) == len(there), f"a comment on {local.title} is doubled"


def test_a_held_lock_names_its_holder(tmp_path: Path) -> None:
    """The second holder is refused with the first one's pid; after release it gets in."""
    path = tmp_path / "sync.lock"
    with (
        ProcessLock(path, what="sync with github"),
        pytest.raises(Busy, match=rf"another sync with github is running \(pid {os.getpid()}\)"),
        ProcessLock(path, what="sync with github"),
    ):
        pass
    with ProcessLock(path, what="sync with github"):
        pass


def test_cli_says_another_sync_is_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ticket-bridge sync`` while another holds the lock: one line naming the pid, exit 1."""
    from bridge.cli import main

    with rig("github", tmp_path) as r:
        monkeypatch.setenv("TICKET_BRIDGE_CONFIG", str(r.config_path))
        with ProcessLock(tmp_path / "store" / "sync-github.lock", what="sync"):
            assert main(["sync"]) == 1
        err = capsys.readouterr().err
        assert f"another sync with github is running (pid {os.getpid()})" in err
        assert main(["sync"]) == 0
