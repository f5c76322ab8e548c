"""Sub-issue and blocked-by links of one issue, as the adapter changes them after a write.

The sub-issue and dependency endpoints take the other issue's integer id, not its number;
``issue_id`` (the adapter's) finds it, from an earlier answer where it can.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

from adapters.github import _payload as payload
from adapters.github._client import BLOCKED_BY, BLOCKER, SUB_ISSUE, SUB_ISSUES, GitHubClient
from adapters.github._config import GitHubConfig
from bridge.models import Ticket

__all__ = ["Links"]


class Links:
    """Reads and changes the parent and the blockers of issues."""

    def __init__(
        self, config: GitHubConfig, client: GitHubClient, issue_id: Callable[[str], int]
    ) -> None:
        self._config = config
        self._client = client
        self._issue_id = issue_id

    def blocked_by(self, ticket_id: str) -> builtins.list[str]:
        """The numbers of the issues that block this one, as GitHub lists them."""
        path = self._client.path(BLOCKED_BY, number=ticket_id)
        blockers = payload.issues(self._client.pages(path, {}, ticket_id), ticket_id)
        return [str(i.number) for i in blockers]

    def add_blocked_by(self, ticket_id: str, dep_ids: builtins.list[int]) -> None:
        """Mark the issue blocked by each of ``dep_ids`` (integer ids)."""
        if not self._config.use_dependencies_api:
            return
        for dep_id in dep_ids:
            self._client.request(
                "POST",
                self._client.path(BLOCKED_BY, number=ticket_id),
                body={"issue_id": dep_id},
                ticket_id=ticket_id,
            )

    def reparent(
        self, ticket_id: str, current: Ticket, updated: Ticket, number: int | None
    ) -> None:
        """Move the issue under ``updated.parent_id`` (issue ``number``), or out of its parent."""
        if updated.parent_id == current.parent_id:
            return
        child_id = self._issue_id(ticket_id)
        if number is None:
            self._client.request(
                "DELETE",
                self._client.path(SUB_ISSUE, number=current.parent_id),
                body={"sub_issue_id": child_id},
                ticket_id=ticket_id,
            )
            return
        self._client.request(
            "POST",
            self._client.path(SUB_ISSUES, number=number),
            body={"sub_issue_id": child_id, "replace_parent": current.parent_id is not None},
            ticket_id=ticket_id,
        )

    def relink(self, ticket_id: str, current: Ticket, updated: Ticket) -> None:
        """Add the blockers ``updated`` names and remove the ones it no longer names."""
        added = [d for d in updated.dependencies if d not in current.dependencies]
        removed = [d for d in current.dependencies if d not in updated.dependencies]
        self.add_blocked_by(ticket_id, [self._issue_id(d) for d in added])
        if not self._config.use_dependencies_api:
            return
        for dep in removed:
            self._client.request(
                "DELETE",
                self._client.path(BLOCKER, number=ticket_id, blocker=self._issue_id(dep)),
                ticket_id=ticket_id,
            )
