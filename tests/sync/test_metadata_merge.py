"""Sync merges ``metadata`` key by key, and a mapped Jira field travels both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.sync.merge import merge
from tests.contract.test_jira import jira_service
from tests.sync.rig import Rig, rig

BASE = {"title": "T", "metadata": {"estimate_hours": 3, "plan": "a", "phase": 1}}


def _with(metadata: dict[str, object]) -> dict[str, object]:
    return {**BASE, "metadata": metadata}


def test_one_key_changed_here_and_another_there_both_survive() -> None:
    """An estimate edited on the tracker and a plan edited locally: both kept, no conflict."""
    local = _with({"estimate_hours": 3, "plan": "b", "phase": 1})
    remote = _with({"estimate_hours": 5, "plan": "a", "phase": 1})
    out = merge(BASE, local, remote, policy="newer", local_is_newer=True)
    assert out.merged["metadata"] == {"estimate_hours": 5, "plan": "b", "phase": 1}
    assert out.to_local["metadata"] == out.to_remote["metadata"] == out.merged["metadata"]
    assert out.conflicts == []


def test_a_key_removed_on_one_side_and_added_on_the_other() -> None:
    """Removing a key is an edit of that key; a new key on the other side arrives too."""
    local = _with({"estimate_hours": 3, "plan": "a"})
    remote = _with({"estimate_hours": 3, "plan": "a", "phase": 1, "team": "Red"})
    out = merge(BASE, local, remote, policy="newer", local_is_newer=False)
    assert out.merged["metadata"] == {"estimate_hours": 3, "plan": "a", "team": "Red"}
    assert out.conflicts == []


@pytest.mark.parametrize(
    ("policy", "local_is_newer", "kept", "value"),
    [
        ("newer", True, "local", 8),
        ("newer", False, "remote", 5),
        ("local-wins", False, "local", 8),
        ("remote-wins", True, "remote", 5),
    ],
)
def test_one_key_changed_on_both_sides_is_one_conflict_by_policy(
    policy: str, local_is_newer: bool, kept: str, value: int
) -> None:
    """Both sides changed the estimate: the policy picks, the conflict names the key; the
    plan changed on one side only is taken as usual."""
    local = _with({"estimate_hours": 8, "plan": "b", "phase": 1})
    remote = _with({"estimate_hours": 5, "plan": "a", "phase": 1})
    out = merge(BASE, local, remote, policy=policy, local_is_newer=local_is_newer)  # type: ignore[arg-type]
    assert out.merged["metadata"] == {"estimate_hours": value, "plan": "b", "phase": 1}
    assert [(c.field, c.local, c.remote, c.base, c.kept) for c in out.conflicts] == [
        ("metadata.estimate_hours", 8, 5, 3, kept)
    ]


def test_without_a_base_each_differing_key_is_a_conflict() -> None:
    """A pair linked for the first time: equal keys agree, each differing key conflicts."""
    local = _with({"a": 1, "b": 2})
    remote = _with({"a": 1, "b": 3, "c": 4})
    out = merge(None, local, remote, policy="remote-wins", local_is_newer=True)
    assert out.merged["metadata"] == {"a": 1, "b": 3, "c": 4}
    assert sorted(c.field for c in out.conflicts) == ["metadata.b", "metadata.c"]


@pytest.fixture
def r(tmp_path: Path) -> Iterator[Rig]:
    with rig("jira", tmp_path) as made:
        text = made.config_path.read_text().replace(
            'project = "TB"\n',
            'project = "TB"\nfield_map = { estimate_hours = "customfield_10016" }\n',
        )
        made.config_path.write_text(text)
        made.remote.close()
        made.remote = jira_service(
            made.server.url, "cloud", field_map={"estimate_hours": "customfield_10016"}
        )
        yield made


def test_a_mapped_jira_field_travels_both_ways(r: Rig) -> None:
    """Story Points edited on Jira reach the local estimate; a local edit of the estimate
    reaches the field, while a local plan key stays in the property."""
    made = r.remote.create_ticket("Sized", metadata={"estimate_hours": 3, "plan": "a"})
    r.sync()
    [here] = r.local.list_tickets()
    assert here.metadata == {"estimate_hours": 3, "plan": "a"}
    r.app.issues[made.id].fields["customfield_10016"] = 5
    r.app.issues[made.id].updated = "2099-01-01T00:00:00.000+0000"
    r.local.update_ticket(here.id, metadata={"estimate_hours": 3, "plan": "b"})
    report = r.sync()
    assert report.conflicts == []
    assert r.local.get_ticket(here.id).metadata == {"estimate_hours": 5, "plan": "b"}
    assert r.remote.get_ticket(made.id).metadata == {"estimate_hours": 5, "plan": "b"}
    r.local.update_ticket(here.id, metadata={"estimate_hours": 13, "plan": "b"})
    r.sync()
    assert r.app.issues[made.id].fields["customfield_10016"] == 13
    assert r.app.issues[made.id].properties["ticket-bridge"]["metadata"] == {"plan": "b"}
