"""The exactly-once machine on the Jira Cloud fake: three shards, 10 steps an example."""

from tests.exactly_once.machine import machine_tests

globals().update(machine_tests("jira-cloud", "JiraCloud", steps=10))
