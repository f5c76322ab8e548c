"""Reaching a status through the project's real transitions, learning the workflow as it goes.

Jira only moves an issue along the transitions its workflow offers from the current status.
What each status offers is learned once (``GET .../transitions?expand=transitions.fields``)
and kept, so later moves plan the whole path without asking again; a status that cannot be
reached directly is reached along the shortest known path, exploring toward the goal's status
category where the path is not known yet.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Edge", "Workflow"]

_RANK = {"new": 0, "indeterminate": 1, "done": 2}


@dataclass(frozen=True)
class Edge:
    """One transition: its id, the status it reaches, and its screen's resolution field."""

    id: str
    to: str
    to_category: str
    resolution: str | None  # None (not on the screen), "optional" or "required"


class Workflow:
    """What is known of one project's workflow: the transitions out of each status."""

    def __init__(self) -> None:
        self.edges: dict[str, list[Edge]] = {}
        self.categories: dict[str, str] = {}

    def learn(self, status: str, transitions: list[dict[str, Any]]) -> None:
        edges = []
        for t in transitions:
            field = (t.get("fields") or {}).get("resolution")
            resolution = (
                None if field is None else ("required" if field.get("required") else "optional")
            )
            to = t["to"]["name"]
            category = t["to"].get("statusCategory", {}).get("key", "indeterminate")
            self.categories[to] = category
            edges.append(Edge(str(t["id"]), to, category, resolution))
        self.edges[status] = edges

    def knows(self, status: str) -> bool:
        return status in self.edges

    def path(self, start: str, goal: str) -> list[Edge] | None:
        """The shortest known path of transitions, or None."""
        queue: deque[tuple[str, list[Edge]]] = deque([(start, [])])
        seen = {start}
        while queue:
            status, path = queue.popleft()
            for edge in self.edges.get(status, []):
                if edge.to == goal:
                    return [*path, edge]
                if edge.to not in seen and edge.to in self.edges:
                    seen.add(edge.to)
                    queue.append((edge.to, [*path, edge]))
        return None

    def explore(self, status: str, goal_category: str, goal: str = "") -> Edge | None:
        """The next step toward the nearest status whose transitions are not known yet,
        nearest the goal's category first; None once everything reachable is known."""
        rank = _RANK.get(goal_category, 1)
        queue: deque[tuple[str, list[Edge]]] = deque([(status, [])])
        seen = {status}
        best: tuple[int, int, int, list[Edge]] | None = None
        while queue:
            here, path = queue.popleft()
            for edge in self.edges.get(here, []):
                if edge.to in seen:
                    continue
                seen.add(edge.to)
                step = [*path, edge]
                if edge.to in self.edges:
                    queue.append((edge.to, step))
                else:
                    # Done statuses other than the goal mostly lead back to a reopen.
                    dead_end = int(edge.to_category == "done" and edge.to != goal)
                    score = (dead_end, abs(_RANK.get(edge.to_category, 1) - rank), len(step))
                    if best is None or score < best[:3]:
                        best = (*score, step)
        return best[3][0] if best else None
