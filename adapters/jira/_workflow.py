"""Reaching a status through the project's real transitions, learning the workflow as it goes.

Jira only moves an issue along the transitions its workflow offers from the current status.
What each status offers is learned once (``GET .../transitions?expand=transitions.fields``)
and kept, so later moves plan the whole path without asking again; a status that cannot be
reached directly is reached along the shortest known path, exploring toward the goal's status
category where the path is not known yet.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.jira._jql import StatusFilter
from bridge.errors import InvalidError, UnsupportedError
from bridge.models import Status

if TYPE_CHECKING:
    from adapters.jira._client import JiraClient

__all__ = ["MAX_STEPS", "Edge", "Workflow"]

_RANK = {"new": 0, "indeterminate": 1, "done": 2}
# What a status of each category reads as when the configuration does not map it.
_BY_CATEGORY = {"new": Status.OPEN, "indeterminate": Status.IN_PROGRESS, "done": Status.RESOLVED}
MAX_STEPS = 12


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
        self.statuses: set[str] | None = None  # the project's, once read
        self.type_ids: dict[str, str] = {}  # issue type name -> id, from the same answer

    def learn_statuses(self, data: list[dict[str, Any]]) -> None:
        """The project's statuses and their categories (``GET /project/{key}/statuses``)."""
        self.statuses = {s["name"] for t in data for s in t["statuses"]}
        self.type_ids = {
            str(t["name"]): str(t["id"]) for t in data if t.get("id") and t.get("name")
        }
        for t in data:
            for s in t["statuses"]:
                self.categories[s["name"]] = (s.get("statusCategory") or {}).get("key", "new")

    def target(self, status_map: dict[Status, str], status: Status) -> tuple[str, bool]:
        """The Jira status to reach, and whether ``blocked`` is marked instead of reached.

        Call after :meth:`learn_statuses`.
        """
        name = status_map[status]
        if name in (self.statuses or ()):
            return name, False
        if status is Status.BLOCKED:
            return status_map[Status.IN_PROGRESS], True
        if status.is_done:  # one done status serves both; the property tells them apart
            other = Status.CLOSED if status is Status.RESOLVED else Status.RESOLVED
            return status_map[other], False
        return name, False

    def status_filter(
        self, status_map: dict[Status, str], statuses: tuple[Status, ...]
    ) -> StatusFilter:
        """Every issue that reads back as one of ``statuses``, as the mapping reads them: a
        mapped status by name, any other by its category; blocked also in an in-progress
        status (marked by label or flag), and every done status for either done status (the
        property tells them apart). Only the project's statuses are named: JQL refuses others.

        Call after :meth:`learn_statuses`.
        """
        known = self.statuses or set()
        mapped = frozenset(n for n in status_map.values() if n in known)
        names: set[str] = set()
        categories: dict[str, frozenset[str]] = {}
        for status in statuses:
            wanted = {status, Status.IN_PROGRESS} if status is Status.BLOCKED else {status}
            names.update(self.target(status_map, s)[0] for s in wanted)
            for category, neutral in _BY_CATEGORY.items():
                if status.is_done and neutral.is_done:
                    categories[category] = frozenset()
                elif neutral in wanted:
                    categories[category] = mapped
        return StatusFilter(frozenset(n for n in names if n in known), categories)

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

    def route(
        self,
        key: str,
        start: str,
        goal: str,
        goal_category: str,
        transitions: Callable[[], list[dict[str, Any]]],
    ) -> Iterator[Edge]:
        """The transitions that take issue ``key`` from ``start`` to ``goal``, one at a time:
        each is planned after the one before was taken. ``transitions`` reads what the issue's
        current status offers; it is called only for a status not known yet."""
        current = start
        for _ in range(MAX_STEPS):
            if not self.knows(current):
                self.learn(current, transitions())
            path = self.path(current, goal)
            edge = path[0] if path else self.explore(current, goal_category, goal)
            if edge is None:
                raise UnsupportedError(
                    f"the workflow offers no way from {current!r} to {goal!r}",
                    adapter="jira",
                    ticket_id=key,
                )
            yield edge
            if edge.to == goal:
                return
            current = edge.to
        raise UnsupportedError(
            f"no path to {goal!r} within {MAX_STEPS} transitions", adapter="jira", ticket_id=key
        )


def send_transition(client: JiraClient, key: str, body: dict[str, Any], to: str) -> None:
    """POST one transition. Jira refuses (400) a transition the issue no longer offers;
    when the issue already stands where it leads (an earlier attempt landed after the
    client gave up, or a person moved it), the step is done: only its properties are
    written again."""
    try:
        client.request("POST", f"/issue/{key}/transitions", body=body, ticket_id=key)
    except InvalidError:
        data = client.request("GET", f"/issue/{key}", params={"fields": "status"}, ticket_id=key)
        fields = data.get("fields") if isinstance(data, dict) else None
        status = fields.get("status") if isinstance(fields, dict) else None
        if not isinstance(status, dict) or status.get("name") != to:
            raise
        if "properties" in body:
            properties = {"properties": body["properties"]}
            client.request("PUT", f"/issue/{key}", ticket_id=key, body=properties)
