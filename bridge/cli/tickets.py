"""The ticket commands: create, show, update, comment, close, reopen (and list)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bridge.cli._common import Many, command, emit, parse_meta
from bridge.cli.listing import PRIORITIES, STATUSES, TYPES, add_list_command
from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.models import Ticket
    from bridge.service import TicketingService

__all__ = ["add_ticket_commands", "describe_changes"]

_SHOWN = ("title", "description", "status", "priority", "type", "assignee", "labels", "metadata")


def _sla(service: TicketingService, priority: str) -> dict[str, Any]:
    """The SLA the workflow helper stamps: hours for the priority and the due time."""
    from bridge.workflows.helper import TicketingHelper, sla_metadata

    return sla_metadata(TicketingHelper(service).settings.sla_for(priority))


def cmd_create(args: argparse.Namespace, service: TicketingService) -> int:
    metadata = parse_meta(args.meta) or {}
    if "sla" not in metadata:
        metadata["sla"] = _sla(service, args.priority)
    ticket = service.create_ticket(
        args.title,
        args.description or "",
        priority=args.priority,
        type=args.type,
        assignee=args.assignee,
        labels=args.label or [],
        parent_id=args.parent,
        dependencies=args.depends_on or [],
        metadata=metadata,
    )
    emit(args, ticket, ticket.id)
    return 0


def cmd_show(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.render import render_ticket

    ticket = service.get_ticket(args.id)
    comments = service.list_comments(args.id)
    emit(
        args,
        {**ticket.model_dump(mode="json"), "comments": comments},
        render_ticket(ticket, comments),
    )
    return 0


def _value(ticket: Ticket, field: str) -> str:
    import json

    value = getattr(ticket, field)
    if field == "labels":
        return ", ".join(value) or "-"
    if field == "metadata":
        return json.dumps({k: v for k, v in value.items() if k != "sla"}, sort_keys=True)
    if field == "description":
        return f"{len(value)} characters"
    return "-" if value is None else str(getattr(value, "value", value))


def describe_changes(before: Ticket, after: Ticket) -> list[str]:
    """``field: old -> new`` for each shown field that differs."""
    from bridge.render import safe_line

    lines = []
    for field in _SHOWN:
        old, new = _value(before, field), _value(after, field)
        if old != new:
            lines.append(f"  {field}: {safe_line(old)} -> {safe_line(new)}")
    return lines


def cmd_update(args: argparse.Namespace, service: TicketingService) -> int:
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("title", args.title),
            ("description", args.description),
            ("status", args.status),
            ("priority", args.priority),
            ("type", args.type),
            ("assignee", args.assignee),
            ("labels", args.label),
            ("metadata", parse_meta(args.meta)),
        )
        if value is not None
    }
    if args.unassign:
        changes["assignee"] = None
    if not changes:
        raise InvalidError("nothing to update: give at least one of --title, --status, ...")
    before = service.get_ticket(args.id)
    ticket = service.update_ticket(args.id, **changes)
    lines = describe_changes(before, ticket)
    head = f"{ticket.id} updated:" if lines else f"{ticket.id}: nothing changed"
    emit(args, ticket, "\n".join([head, *lines]))
    return 0


def cmd_comment(args: argparse.Namespace, service: TicketingService) -> int:
    comment = service.add_comment(args.id, args.text, author=args.author)
    emit(args, comment, f"{comment.id} added to {args.id} by {comment.author}")
    return 0


def cmd_close(args: argparse.Namespace, service: TicketingService) -> int:
    """Close or resolve; a ticket that already has that status is left as it is, and said so."""
    status = "resolved" if args.resolved else "closed"
    before = service.get_ticket(args.id)
    ticket = service.close_ticket(args.id, resolution=args.resolution, status=status)
    if before.status.value == status:
        kept = f" (resolution: {ticket.resolution})" if ticket.resolution else ""
        emit(args, ticket, f"{ticket.id} is already {status}; nothing changed{kept}")
    else:
        said = f" (resolution: {ticket.resolution})" if ticket.resolution else ""
        emit(args, ticket, f"{ticket.id}: {before.status.value} -> {ticket.status.value}{said}")
    return 0


def cmd_reopen(args: argparse.Namespace, service: TicketingService) -> int:
    """Reopen; a ticket that is not resolved or closed is left as it is, and said so."""
    before = service.get_ticket(args.id)
    ticket = service.reopen_ticket(args.id)
    if before.is_done:
        emit(args, ticket, f"{ticket.id}: {before.status.value} -> {ticket.status.value}")
    else:
        text = f"{ticket.id} is already {ticket.status.value}, not closed or resolved; "
        emit(args, ticket, text + "nothing changed")
    return 0


def _ticket_fields(p: argparse.ArgumentParser, *, creating: bool) -> None:
    default = " (default %(default)s)" if creating else ""
    p.add_argument("-d", "--description", metavar="TEXT", help="Markdown text")
    p.add_argument("-p", "--priority", choices=PRIORITIES, help=f"one of %(choices)s{default}")
    p.add_argument("-t", "--type", choices=TYPES, help=f"one of %(choices)s{default}")
    p.add_argument("-a", "--assignee", metavar="AGENT", help="who owns it, e.g. engineer")
    p.add_argument(
        "-l", "--label", action=Many, metavar="LABEL",
        help="repeatable, or a comma list" + ("" if creating else "; replaces the labels"),
    )  # fmt: skip
    p.add_argument("--meta", metavar="JSON", help="metadata as a JSON object")
    if creating:
        p.add_argument("--parent", metavar="ID", help="the parent ticket's id")
        p.add_argument(
            "--depends-on", action=Many, metavar="ID",
            help="repeatable: a ticket this one is blocked by",
        )  # fmt: skip


def add_ticket_commands(sub: Any) -> None:
    p = command(
        sub, "create", "create a ticket (prints its id; stamps the SLA due time)",
        'ticket-bridge create "Fix login" -p high -a engineer -l auth',
        'ID=$(ticket-bridge create "Write docs" -t task)',
    )  # fmt: skip
    p.add_argument("title", help="one line")
    _ticket_fields(p, creating=True)
    p.set_defaults(handler=cmd_create, priority="medium", type="task")

    p = command(sub, "show", "a ticket with its comments", "ticket-bridge show ID")
    p.add_argument("id", metavar="ID", help="the ticket's id")
    p.set_defaults(handler=cmd_show)

    add_list_command(sub)

    p = command(
        sub, "update", "change only the given fields (prints field: old -> new)",
        "ticket-bridge update ID --status in_progress -p high",
    )  # fmt: skip
    p.add_argument("id", metavar="ID", help="the ticket's id")
    p.add_argument("--title", metavar="TEXT", help="a new title")
    p.add_argument("-s", "--status", choices=STATUSES, help="one of %(choices)s")
    p.add_argument("--unassign", action="store_true", help="clear the assignee")
    _ticket_fields(p, creating=False)
    p.set_defaults(handler=cmd_update)

    _add_more(sub)


def _add_more(sub: Any) -> None:
    p = command(
        sub, "comment", "add a comment",
        'ticket-bridge comment ID "Root cause found" --author research-agent',
    )  # fmt: skip
    p.add_argument("id", metavar="ID", help="the ticket's id")
    p.add_argument("text", help="the comment, Markdown")
    p.add_argument("--author", default="ticket-bridge", help="default %(default)s")
    p.set_defaults(handler=cmd_comment)

    p = command(
        sub, "close", "close a ticket with a resolution (already closed: says so)",
        'ticket-bridge close ID -r "Fixed in PR #123"', "ticket-bridge close ID --resolved",
    )  # fmt: skip
    p.add_argument("id", metavar="ID", help="the ticket's id")
    p.add_argument("-r", "--resolution", metavar="TEXT", help="why, e.g. 'Fixed in PR #1'")
    p.add_argument("--resolved", action="store_true", help="resolved rather than closed")
    p.set_defaults(handler=cmd_close)

    p = command(
        sub, "reopen", "open a resolved or closed ticket again (already open: says so)",
        "ticket-bridge reopen ID",
    )  # fmt: skip
    p.add_argument("id", metavar="ID", help="the ticket's id")
    p.set_defaults(handler=cmd_reopen)
