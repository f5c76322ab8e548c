"""The exactly-once machine on the local tracker double: three shards, 25 steps an example."""

from tests.exactly_once.machine import machine_tests

globals().update(machine_tests("local", "Local", steps=25))
