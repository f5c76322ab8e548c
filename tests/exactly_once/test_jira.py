"""The exactly-once machine on the Jira Cloud fake: three shards, 10 steps an example."""

from pathlib import Path

from tests.exactly_once.machine import machine_tests, planted_duplicate_is_seen

globals().update(machine_tests("jira-cloud", "JiraCloud", steps=10))


def test_the_check_fails_on_a_planted_duplicate(tmp_path: Path) -> None:
    """The invariant the machines assert is not vacuous here: a ticket made twice is seen."""
    assert planted_duplicate_is_seen("jira-cloud", tmp_path / "rig") == ["duplicate: T0: 2 tickets"]
