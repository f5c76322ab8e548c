"""The exactly-once machine on the GitHub fake: three shards, 10 steps an example."""

from pathlib import Path

from tests.exactly_once.machine import machine_tests, planted_duplicate_is_seen

globals().update(machine_tests("github", "GitHub", steps=10))


def test_the_check_fails_on_a_planted_duplicate(tmp_path: Path) -> None:
    """The invariant the machines assert is not vacuous here: a ticket made twice is seen."""
    assert planted_duplicate_is_seen("github", tmp_path / "rig") == ["duplicate: T0: 2 tickets"]
