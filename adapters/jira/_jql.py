"""JQL built safely: every value is a quoted string literal, so no value changes the query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bridge.models import TicketQuery

__all__ = ["CATEGORY_NAMES", "And", "StatusFilter", "list_jql", "quote"]

CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
"""Status category keys and the names JQL's ``statusCategory`` takes."""


@dataclass(frozen=True)
class StatusFilter:
    """The issues that read back as one of a query's statuses: those in one of ``names``, and
    those in a status of a category in ``categories`` that is none of the category's excluded
    names (statuses the configuration maps to something else)."""

    names: frozenset[str] = frozenset()
    categories: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def render(self) -> str:
        parts = []
        if self.names:
            parts.append(f"status IN ({', '.join(quote(n) for n in sorted(self.names))})")
        for category, excluded in sorted(self.categories.items()):
            clause = f"statusCategory = {quote(CATEGORY_NAMES[category])}"
            if excluded:
                names = ", ".join(quote(n) for n in sorted(excluded))
                clause = f"({clause} AND status NOT IN ({names}))"
            parts.append(clause)
        return parts[0] if len(parts) == 1 else f"({' OR '.join(parts)})"


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

    def clause(self, jql: str) -> And:
        """A clause built elsewhere from quoted values (a :class:`StatusFilter`'s)."""
        self.parts.append(jql)
        return self

    def render(self, order: str = "created ASC, key ASC") -> str:
        return " AND ".join(self.parts) + (f" ORDER BY {order}" if order else "")


def list_jql(
    project: str, query: TicketQuery, statuses: StatusFilter | None, priorities: Iterable[str]
) -> str:
    """The search for a list: the project, and the filters JQL can express, oldest first.

    ``statuses`` selects the issues that read back as the query's statuses; ``priorities``
    are the Jira names of its priorities.
    """
    jql = And().eq("project", project)
    if statuses is not None:
        jql.clause(statuses.render())
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
