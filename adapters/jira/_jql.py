"""JQL built safely: every value is a quoted string literal, so no value changes the query."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["And", "quote"]


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
