"""The fields the local store knows: the neutral model's, as :class:`~bridge.fields.FieldInfo`."""

from __future__ import annotations

from bridge.errors import InvalidError
from bridge.fields import FieldInfo
from bridge.models import Priority, Status, TicketType

__all__ = ["neutral_fields"]


def neutral_fields(issue_type: str | None = None) -> list[FieldInfo]:
    """Every field a ticket of ``issue_type`` (any type when None) has in the store."""
    if issue_type is not None and issue_type not in {t.value for t in TicketType}:
        raise InvalidError(
            f"unknown ticket type {issue_type!r}: one of {', '.join(t.value for t in TicketType)}",
            adapter="local_json",
        )

    def info(
        name: str, kind: str, values: tuple[str, ...] = (), *, required: bool = False
    ) -> FieldInfo:
        return FieldInfo(
            name=name,
            id=name,
            type=kind,
            required=required,
            allowed_values=values,
            issue_type=issue_type,
        )

    return [
        info("title", "string", required=True),
        info("description", "text"),
        info("status", "option", tuple(s.value for s in Status)),
        info("priority", "option", tuple(p.value for p in Priority)),
        info("type", "option", tuple(t.value for t in TicketType)),
        info("assignee", "string"),
        info("labels", "array of string"),
        info("parent_id", "string"),
        info("dependencies", "array of string"),
        info("metadata", "object"),
        info("resolution", "string"),
    ]
