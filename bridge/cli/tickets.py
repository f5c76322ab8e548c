"""The ticket commands: create, show, list, update, comment, close, reopen."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bridge.cli._common import emit, parse_meta, parse_since
from bridge.errors import InvalidError
from bridge.service import TicketingService

__all__ = ["add_ticket_commands"]


def cmd_create(args: argparse.Namespace, service: TicketingService) -> int:
    ticket = service.create_ticket(
        args.title,
        args.description or "",
        priority=args.priority,
        type=args.type,
        assignee=args.assignee,
        labels=args.label or [],
        parent_id=args.parent,
        dependencies=args.depends_on or [],
        metadata=parse_meta(args.meta),
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


def cmd_list(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.render import TICKET_HEADERS, render_table, ticket_rows

    filters: dict[str, Any] = {
        "status": args.status,
        "priority": args.priority,
        "type": args.type,
        "assignee": args.assignee,
        "labels": args.label or [],
        "parent_id": args.parent,
        "updated_since": parse_since(args.since),
        "text": args.text,
    }
    if args.all:
        tickets = list(service.iter_tickets(**filters))
        problems: list[str] = []
        next_cursor = None
    else:
        page = service.list_tickets(**filters, limit=args.limit, cursor=args.cursor)
        tickets, problems, next_cursor = list(page), page.problems, page.next_cursor
    for problem in problems:
        sys.stderr.write(f"warning: skipped unreadable ticket: {problem}\n")
    if args.json:
        emit(args, {"tickets": tickets, "next_cursor": next_cursor, "problems": problems}, "")
        return 0
    text = render_table(TICKET_HEADERS, ticket_rows(tickets)) if tickets else "no tickets"
    if next_cursor:
        text += f"\n(more: --cursor '{next_cursor}')"
    emit(args, None, text)
    return 0


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
    ticket = service.update_ticket(args.id, **changes)
    emit(args, ticket, f"{ticket.id} updated")
    return 0


def cmd_comment(args: argparse.Namespace, service: TicketingService) -> int:
    comment = service.add_comment(args.id, args.text, author=args.author)
    emit(args, comment, f"{comment.id} added to {args.id}")
    return 0


def cmd_close(args: argparse.Namespace, service: TicketingService) -> int:
    status = "resolved" if args.resolved else "closed"
    ticket = service.close_ticket(args.id, resolution=args.resolution, status=status)
    emit(args, ticket, f"{ticket.id} {ticket.status.value}")
    return 0


def cmd_reopen(args: argparse.Namespace, service: TicketingService) -> int:
    ticket = service.reopen_ticket(args.id)
    emit(args, ticket, f"{ticket.id} reopened")
    return 0


def _ticket_fields(p: argparse.ArgumentParser, *, creating: bool) -> None:
    p.add_argument("-d", "--description")
    p.add_argument("-p", "--priority", help="low, medium, high or critical")
    p.add_argument("-t", "--type", help="task, bug, feature or epic")
    p.add_argument("-a", "--assignee")
    p.add_argument("-l", "--label", action="append", help="repeat for several labels")
    p.add_argument("--meta", help="metadata as a JSON object")
    if creating:
        p.add_argument("--parent", help="the parent ticket's id")
        p.add_argument("--depends-on", action="append", help="a ticket this one is blocked by")


def add_ticket_commands(sub: Any) -> None:

    p = sub.add_parser("create", help="create a ticket")
    p.add_argument("title")
    _ticket_fields(p, creating=True)
    p.set_defaults(handler=cmd_create, priority="medium", type="task")

    p = sub.add_parser("show", help="a ticket with its comments")
    p.add_argument("id")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("list", help="list tickets (filters combine)")
    p.add_argument("-s", "--status", action="append")
    p.add_argument("-p", "--priority", action="append")
    p.add_argument("-t", "--type", action="append")
    p.add_argument("-a", "--assignee")
    p.add_argument("-l", "--label", action="append")
    p.add_argument("--parent")
    p.add_argument("--since", help="updated at or after this ISO time")
    p.add_argument("--text", help="words in the title or description")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--cursor")
    p.add_argument("--all", action="store_true", help="every page")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("update", help="change only the given fields")
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("-s", "--status")
    p.add_argument("--unassign", action="store_true")
    _ticket_fields(p, creating=False)
    p.set_defaults(handler=cmd_update)

    p = sub.add_parser("comment", help="add a comment")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--author", default="ticket-bridge")
    p.set_defaults(handler=cmd_comment)

    p = sub.add_parser("close", help="close a ticket with a resolution")
    p.add_argument("id")
    p.add_argument("-r", "--resolution")
    p.add_argument("--resolved", action="store_true", help="resolved rather than closed")
    p.set_defaults(handler=cmd_close)

    p = sub.add_parser("reopen", help="open a closed ticket again")
    p.add_argument("id")
    p.set_defaults(handler=cmd_reopen)
