"""JQL built safely: every value is a quoted string literal, so no value changes the query."""

from __future__ import annotations

from collections.abc import Iterable

from bridge.models import TicketQuery

__all__ = ["And", "list_jql", "quote"]


def quote(value: str) -> str:
    """``value`` as a JQL string literal: backslashes and double quotes escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", " ").replace("\r", " ")
    return f'"{escaped}"'


class And:
    """Clauses joined with AND; values always go through :func:`quote`."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def eq(self, field: str, value: str) -> And:
        self.parts.append(f"{field} = {quote(value)}")
        return self

    def is_in(self, field: str, values: Iterable[str]) -> And:
        self.parts.append(f"{field} IN ({', '.join(quote(v) for v in values)})")
        return self

    def at_least(self, field: str, value: str) -> And:
        self.parts.append(f"{field} >= {quote(value)}")
        return self

    def contains(self, field: str, value: str) -> And:
        self.parts.append(f"{field} ~ {quote(value)}")
        return self

    def render(self, order: str = "created ASC, key ASC") -> str:
        return " AND ".join(self.parts) + (f" ORDER BY {order}" if order else "")


def list_jql(
    project: str, query: TicketQuery, statuses: Iterable[str], priorities: Iterable[str]
) -> str:
    """The search for a list: the project, and the filters JQL can express, oldest first.

    ``statuses`` and ``priorities`` are the Jira names of the query's statuses and priorities.
    """
    jql = And().eq("project", project)
    if names := sorted(set(statuses)):
        jql.is_in("status", names)
    if query.priority:
        jql.is_in("priority", sorted(priorities))
    for label in query.labels:
        jql.eq("labels", label)
    if query.parent_id:
        jql.eq("parent", query.parent_id)
    if query.updated_since is not None:
        floor = query.updated_since.replace(second=0, microsecond=0)
        jql.at_least("updated", floor.strftime("%Y-%m-%d %H:%M"))
    return jql.render()
