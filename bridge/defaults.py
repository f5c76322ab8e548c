"""Defaults that more than one part of the bridge needs, owned here and nowhere else."""

from __future__ import annotations

__all__ = ["AGENT_LABEL", "ASSIGNEE_LABEL", "ID_PREFIX", "LOCAL_STORE_DIR", "TRACKER_NAME"]

ID_PREFIX = "CLAUDE"
"""How the local store names tickets: ``CLAUDE-20251125093000`` as the guide writes them."""

AGENT_LABEL = "agent:{}"
"""The neutral label the workflow layer puts on a ticket an agent owns; ``{}`` is the agent.

No space: Jira labels cannot hold one."""

ASSIGNEE_LABEL = "agent: {}"
"""How the GitHub adapter records an assignee that is an agent, not a GitHub user.

Deliberately not :data:`AGENT_LABEL`: the adapter reads this label back as the assignee and
drops it from the labels, so the two must never be the same string, or the workflow layer's
label would vanish on the round trip."""

LOCAL_STORE_DIR = ".tickets"
"""Where the local store lives when nothing is configured (relative to the working directory)."""

TRACKER_NAME = "local"
"""The ``[trackers.<name>]`` section used when ``[bridge] tracker`` is not given."""
