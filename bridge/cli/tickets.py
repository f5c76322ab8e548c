"""The ticket commands: create, show, list, update, comment, close, reopen."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bridge.cli._common import emit, parse_meta, parse_since
from bridge.errors import InvalidError

if TYPE_CHECKING:
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
    if args.all and args.json:
        return _stream_json(service, filters)
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


def _stream_json(service: TicketingService, filters: dict[str, Any]) -> int:
    """``--json list --all``: the same document as a page's, written ticket by ticket.

    A store that keeps its tickets' JSON (the local one) hands it over as stored; any other
    is read page by page. Either way memory holds one page, not the list."""
    out = sys.stdout
    docs = getattr(service.adapter, "iter_docs", None)
    out.write('{"tickets": [')
    first = True
    if docs is not None:
        from bridge.models import TicketQuery

        page = service.list_tickets(**filters, limit=1)  # checks the filters; names problems
        problems = page.problems
        stream = docs(TicketQuery(**filters))
    else:
        problems = []
        stream = (t.model_dump_json() for t in service.iter_tickets(**filters))
    for doc in stream:
        out.write("\n" if first else ",\n")
        out.write(doc)
        first = False
    for problem in problems:
        sys.stderr.write(f"warning: skipped unreadable ticket: {problem}\n")
    out.write(f'\n], "next_cursor": null, "problems": {json.dumps(problems)}}}\n')
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
    """Close or resolve; a ticket that already has that status is left as it is, and said so."""
    status = "resolved" if args.resolved else "closed"
    before = service.get_ticket(args.id)
    ticket = service.close_ticket(args.id, resolution=args.resolution, status=status)
    if before.status.value == status:
        kept = f" (resolution: {ticket.resolution})" if ticket.resolution else ""
        emit(args, ticket, f"{ticket.id} is already {status}; nothing changed{kept}")
    else:
        emit(args, ticket, f"{ticket.id} {ticket.status.value}")
    return 0


def cmd_reopen(args: argparse.Namespace, service: TicketingService) -> int:
    """Reopen; a ticket that is not resolved or closed is left as it is, and said so."""
    before = service.get_ticket(args.id)
    ticket = service.reopen_ticket(args.id)
    if before.is_done:
        emit(args, ticket, f"{ticket.id} reopened")
    else:
        text = f"{ticket.id} is {ticket.status.value}, not closed or resolved; nothing changed"
        emit(args, ticket, text)
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
