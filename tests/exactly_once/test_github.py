"""The exactly-once machine on the GitHub fake: three shards, 10 steps an example."""

from tests.exactly_once.machine import machine_tests

globals().update(machine_tests("github", "GitHub", steps=10))
