"""``ticket-bridge fields``: what a tracker says about its fields, to write a ``field_map``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bridge.cli._common import command, emit

if TYPE_CHECKING:
    from bridge.fields import FieldInfo
    from bridge.service import TicketingService

__all__ = ["add_field_commands", "cmd_fields", "fields_table"]

SHOWN_VALUES = 6


def _allowed(values: tuple[str, ...]) -> str:
    shown = ", ".join(values[:SHOWN_VALUES])
    return shown + (f", ... (+{len(values) - SHOWN_VALUES})" if len(values) > SHOWN_VALUES else "")


def fields_table(infos: list[FieldInfo]) -> str:
    """The fields as a table: name, id, type, required, allowed values (and the issue type
    where the list covers several)."""
    from bridge.render import render_table

    if not infos:
        return "no fields"
    several = len({f.issue_type for f in infos}) > 1
    headers = [*(["issue type"] if several else []), "name", "id", "type", "required", "allowed"]
    rows = [
        [
            *([f.issue_type or "-"] if several else []),
            f.name,
            f.id,
            f.type,
            "yes" if f.required else "",
            _allowed(f.allowed_values),
        ]
        for f in infos
    ]
    return render_table(headers, rows)


def cmd_fields(args: argparse.Namespace, service: TicketingService) -> int:
    infos = service.adapter.fields(args.type)
    emit(args, infos, fields_table(infos))
    return 0


def add_field_commands(sub: Any) -> None:
    """Register ``fields``."""
    p = command(
        sub,
        "fields",
        "the tracker's fields (name, id, type, allowed values, required), for field_map",
        "ticket-bridge fields --tracker jira --type bug",
        "ticket-bridge fields --tracker github --json",
        description="The fields a tracker has for its tickets: the name a person sees, the id "
        "the API takes, the neutral type, whether a create needs it, and the values it allows. "
        "Read them to write a [trackers.<name>] field_map (neutral metadata key -> field).",
    )
    p.add_argument(
        "--type",
        metavar="TYPE",
        help="one ticket type: task, bug, feature, epic, subtask, or the tracker's own name "
        "(default: every type)",
    )
    p.set_defaults(handler=cmd_fields)
