"""Sync carries priority and ``field_map`` metadata through GitHub's issue fields, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.github_fake import GitHubFakeApp
from tests.sync.rig import Rig

PRIORITY, EFFORT, TARGET = 101, 102, 104
EXTRA = (
    'priority_field = "Priority"\nfield_map = { estimate_hours = "Effort", due = "Target date" }\n'
)


@pytest.fixture
def fields_rig(tmp_path: Path) -> Iterator[Rig]:
    """The sync rig, its GitHub tracker configured with the issue fields."""
    rig = Rig("github", tmp_path)
    text = rig.config_path.read_text()
    anchor = "seconds_between_writes = 0\n"
    rig.config_path.write_text(text.replace(anchor, anchor + EXTRA, 1))
    yield rig
    rig.close()


def _edit_on_github(app: GitHubFakeApp, number: int, values: dict[int, object]) -> None:
    """A person changes issue field values in GitHub's sidebar."""
    app.org.values.setdefault(number, {}).update(values)
    app.issues[number].updated_at = "2999-01-01T00:00:00Z"  # later than any sync


def _quietly(rig: Rig) -> None:
    report = rig.sync()
    assert (report.problems, report.conflicts) == ([], [])


def test_sync_carries_mapped_fields_both_ways(fields_rig: Rig) -> None:
    """Pushed: priority and mapped keys land in their fields, the rest in the body. Pulled:
    a person's change of a field reaches the local ticket, field by field. Then quiet."""
    rig = fields_rig
    app = rig.app
    assert isinstance(app, GitHubFakeApp)
    local = rig.local.create_ticket(
        "Carried", priority="high", metadata={"estimate_hours": 3, "phase": "build"}
    )
    _quietly(rig)
    [number] = app.issues
    assert app.org.values[number] == {PRIORITY: "High", EFFORT: 3}
    assert '"phase"' in (app.issues[number].body or "")
    assert "estimate_hours" not in (app.issues[number].body or "")

    _edit_on_github(app, number, {EFFORT: 5, PRIORITY: "Urgent"})
    _quietly(rig)
    pulled = rig.local.get_ticket(local.id)
    assert pulled.priority.value == "critical"
    assert pulled.metadata == {"estimate_hours": 5, "phase": "build"}

    rig.local.update_ticket(
        local.id, metadata={"estimate_hours": 5, "phase": "build", "due": "2026-02-01"}
    )
    _quietly(rig)
    assert app.org.values[number] == {PRIORITY: "Urgent", EFFORT: 5, TARGET: "2026-02-01"}

    rig.clear()
    _quietly(rig)
    assert rig.writes() == []
