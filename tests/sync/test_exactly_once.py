"""Sync after interruptions: links are not lost and replayed comments are not pushed again."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.config import load_config
from bridge.errors import BridgeError
from bridge.factory import build_service
from tests.fakes.base import Fault
from tests.sync.rig import rig


def test_a_sync_refused_between_create_and_parent_link_keeps_the_parent(tmp_path: Path) -> None:
    """The sub-issue link of a pushed child is refused once (422): the next sync links it;
    the parent is on both sides, never read as removed on the tracker."""
    with rig("github", tmp_path) as r:
        parent = r.local.create_ticket("Parent")
        child = r.local.create_ticket("Child", parent_id=parent.id)
        r.server.inject(Fault(status=422, method="POST", path=r"/sub_issues$", times=1))
        with contextlib.suppress(BridgeError):  # the refused link may end the run
            r.sync()
        r.sync()
        r.sync()
        assert r.local.get_ticket(child.id).parent_id == parent.id
        by_title = {t.title: t for t in r.remote.iter_tickets()}
        assert sorted(by_title) == ["Child", "Parent"]
        assert by_title["Child"].parent_id == by_title["Parent"].id


@pytest.mark.parametrize("tracker", ["github", "jira"])
def test_a_comment_replayed_from_the_outbox_is_not_pushed_again(
    tracker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the tracker was down a ticket and its comment were made here; the replay
    delivers both; the sync that follows does not post the comment a second time."""
    with rig(tracker, tmp_path) as r:
        monkeypatch.chdir(tmp_path)
        service = build_service(load_config(r.config_path))
        try:
            r.server.inject(Fault(status=503, times=10**6))
            made = service.create_ticket("Filed offline")
            service.add_comment(made.id, "queued note", author="agent")
            r.server.clear_faults()
        finally:
            service.close()
        r.sync()
        r.sync()
        [remote] = list(r.remote.iter_tickets())
        assert [(c.author, c.body) for c in r.remote.list_comments(remote.id)] == [
            ("agent", "queued note")
        ]
        local = LocalJsonService(tmp_path / "store")
        try:
            assert [c.body for c in local.list_comments(made.id)] == ["queued note"]
        finally:
            local.close()
