"""The exactly-once machine on the loopback Jira Cloud fake.

Three shards, each its own test (so that ``-n 2`` spreads them): comments and changes under
failures that leave the client unsure what landed; creates and links under failures between
steps, outages, cut replays and syncs; and every rule at once. 10 steps an example; the
example count comes from the profile (``conftest.py``).
"""

from __future__ import annotations

from hypothesis import settings

from tests.exactly_once.machine import (
    EVERYTHING,
    AmbiguousFaults,
    Changes,
    Comments,
    Creates,
    ExactlyOnceMachine,
    Links,
    Outages,
    PlainFaults,
    StepFaults,
)

STEPS = settings(stateful_step_count=10)


class JiraCloudComments(ExactlyOnceMachine, Changes, Comments, PlainFaults, AmbiguousFaults):
    """Comments, statuses, priorities and closes; 5xx, resets, lost answers, late writes."""

    backend = "jira-cloud"


class JiraCloudLinks(ExactlyOnceMachine, Creates, Links, Changes, PlainFaults, StepFaults, Outages):
    """Subtasks, dependencies and parents; failures between steps, outages, cut replays."""

    backend = "jira-cloud"


class JiraCloudEverything(ExactlyOnceMachine, *EVERYTHING):
    """Every operation and every fault."""

    backend = "jira-cloud"


TestJiraCloudComments = JiraCloudComments.TestCase
TestJiraCloudComments.settings = STEPS
TestJiraCloudLinks = JiraCloudLinks.TestCase
TestJiraCloudLinks.settings = STEPS
TestJiraCloudEverything = JiraCloudEverything.TestCase
TestJiraCloudEverything.settings = STEPS
