"""The exactly-once machine on the local tracker double (:mod:`tests.exactly_once.doubles`).

Three shards, each its own test (so that ``-n 2`` spreads them): comments and changes under
failures that leave the client unsure what landed; creates and links under failures between
steps, outages, cut replays and syncs; and every rule at once. 25 steps an example; the
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

STEPS = settings(stateful_step_count=25)


class LocalComments(ExactlyOnceMachine, Changes, Comments, PlainFaults, AmbiguousFaults):
    """Comments, statuses, priorities and closes; 5xx, resets, lost answers, late writes."""

    backend = "local"


class LocalLinks(ExactlyOnceMachine, Creates, Links, Changes, PlainFaults, StepFaults, Outages):
    """Subtasks, dependencies and parents; failures between steps, outages, cut replays."""

    backend = "local"


class LocalEverything(ExactlyOnceMachine, *EVERYTHING):
    """Every operation and every fault."""

    backend = "local"


TestLocalComments = LocalComments.TestCase
TestLocalComments.settings = STEPS
TestLocalLinks = LocalLinks.TestCase
TestLocalLinks.settings = STEPS
TestLocalEverything = LocalEverything.TestCase
TestLocalEverything.settings = STEPS
