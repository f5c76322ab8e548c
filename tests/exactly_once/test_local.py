"""The exactly-once machine on the local tracker double: three shards, 25 steps an example."""

from pathlib import Path

from tests.exactly_once.machine import machine_tests, planted_duplicate_is_seen

globals().update(machine_tests("local", "Local", steps=25))


def test_the_check_fails_on_a_planted_duplicate(tmp_path: Path) -> None:
    """The invariant the machines assert is not vacuous here: a ticket made twice is seen."""
    assert planted_duplicate_is_seen("local", tmp_path / "rig") == ["duplicate: T0: 2 tickets"]
