"""``ticket-bridge list``: filters, text search, sorting, pages and the total line.

Unsorted (oldest first, the tracker's order) a page costs one page of the tracker. A
``--sort`` other than ``created``, ``--desc`` or ``--comments`` reads every ticket matching
the filters, then orders and pages them here; the cursor of such a list is an offset
(``+50``), valid with the same options.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import TYPE_CHECKING, Any

from bridge.cli._common import Many, command, emit, parse_since
from bridge.cli.table import show_table
from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.models import Ticket
    from bridge.service import TicketingService

__all__ = ["add_list_command"]

STATUSES = ("open", "in_progress", "blocked", "resolved", "closed")
PRIORITIES = ("low", "medium", "high", "critical")
TYPES = ("task", "bug", "feature", "epic")
SORTS = ("created", "updated", "priority")
MAX_LIMIT = 1000


def _filters(args: argparse.Namespace, *, text: bool = True) -> dict[str, Any]:
    return {
        "status": args.status,
        "priority": args.priority,
        "type": args.type,
        "assignee": args.assignee,
        "labels": args.label or [],
        "parent_id": args.parent,
        "updated_since": parse_since(args.since),
        "text": args.text if text else None,
    }


def _sorted_here(args: argparse.Namespace) -> bool:
    return args.sort not in (None, "created") or args.desc or args.comments


def cmd_list(args: argparse.Namespace, service: TicketingService) -> int:
    if not 1 <= args.limit <= MAX_LIMIT:
        raise InvalidError(f"--limit {args.limit}: give 1 to {MAX_LIMIT}")
    if args.comments and not args.text:
        raise InvalidError("--comments searches the --text words in comments: give --text")
    if args.all and args.json and not _sorted_here(args):
        return _stream_json(service, _filters(args))
    total: int | None
    if _sorted_here(args):
        tickets, total, cursor, problems = _ordered(args, service)
    else:
        tickets, total, cursor, problems = _page(args, service)
    for problem in problems:
        sys.stderr.write(f"warning: skipped unreadable ticket: {problem}\n")
    if args.json:
        data = {"tickets": tickets, "total": total, "next_cursor": cursor, "problems": problems}
        emit(args, data, "")
        return 0
    if not tickets:
        sys.stdout.write("no tickets\n")
        return 0
    from bridge.render import TICKET_HEADERS, ticket_rows

    show_table(
        args, TICKET_HEADERS, ticket_rows(tickets), footer=_footer(args, tickets, total, cursor)
    )
    return 0


def _page(
    args: argparse.Namespace, service: TicketingService
) -> tuple[list[Ticket], int | None, str | None, list[str]]:
    filters = _filters(args)
    if args.all:
        tickets = list(service.iter_tickets(**filters))
        return tickets, len(tickets), None, []
    page = service.list_tickets(**filters, limit=args.limit, cursor=args.cursor)
    count = getattr(service.adapter, "count", None)
    if count is not None:
        from bridge.models import TicketQuery

        total: int | None = count(TicketQuery(**filters))
    else:
        total = len(page) if page.next_cursor is None and not args.cursor else None
    return list(page), total, page.next_cursor, page.problems


def _ordered(
    args: argparse.Namespace, service: TicketingService
) -> tuple[list[Ticket], int, str | None, list[str]]:
    """Every match, ordered here, and the slice the offset cursor names."""
    start = 0
    if args.cursor:
        if not args.cursor.startswith("+") or not args.cursor[1:].isdigit():
            raise InvalidError(
                f"--cursor {args.cursor!r} is not a position in a sorted list (+N); "
                "give the cursor the last sorted list printed, with the same options"
            )
        start = int(args.cursor[1:])
    found = list(service.iter_tickets(**_filters(args, text=not args.comments)))
    if args.comments:
        found = [t for t in found if _has_words(service, t, args.text)]
    key = args.sort or "created"
    if key == "priority":
        found.sort(key=lambda t: (t.priority.rank, t.created_at, t.id), reverse=args.desc)
    elif key == "updated":
        found.sort(key=lambda t: (t.updated_at, t.id), reverse=args.desc)
    else:
        found.sort(key=lambda t: (t.created_at, t.id), reverse=args.desc)
    if args.all:
        return found, len(found), None, []
    end = start + args.limit
    return found[start:end], len(found), f"+{end}" if end < len(found) else None, []


def _has_words(service: TicketingService, ticket: Ticket, text: str) -> bool:
    """Every word in the title, the description or the comments, in any order."""
    words = text.lower().split()
    own = f"{ticket.title}\n{ticket.description}".lower()
    missing = [w for w in words if w not in own]
    if not missing:
        return True
    said = "\n".join(c.body for c in service.list_comments(ticket.id)).lower()
    return all(w in said for w in missing)


def _footer(
    args: argparse.Namespace, tickets: list[Ticket], total: int | None, cursor: str | None
) -> str:
    shown = f"{len(tickets):,} of {total:,}" if total is not None else f"{len(tickets):,} shown"
    if cursor is None:
        return shown if total is None or total != len(tickets) else f"{total:,} tickets"
    return f"{shown}; next page: {_again(args)} --cursor {shlex.quote(cursor)}"


def _again(args: argparse.Namespace) -> str:
    """The command line of this list, without its cursor."""
    words = ["ticket-bridge", "list"]
    for flag, values in (
        ("--status", args.status),
        ("--priority", args.priority),
        ("--type", args.type),
        ("--label", args.label),
    ):
        if values:
            words += [flag, ",".join(values)]
    for flag, value in (
        ("--assignee", args.assignee),
        ("--parent", args.parent),
        ("--since", args.since),
        ("--text", args.text),
        ("--sort", args.sort),
    ):
        if value is not None:
            words += [flag, value]
    words += [f for f, on in (("--desc", args.desc), ("--comments", args.comments)) if on]
    if args.limit != 50:
        words += ["--limit", str(args.limit)]
    return " ".join(shlex.quote(w) for w in words)


def _stream_json(service: TicketingService, filters: dict[str, Any]) -> int:
    """``--json list --all``: the same document as a page's, written ticket by ticket.

    A store that keeps its tickets' JSON (the local one) hands it over as stored; any other
    is read page by page. Either way memory holds one page, not the list."""
    out = sys.stdout
    docs = getattr(service.adapter, "iter_docs", None)
    out.write('{"tickets": [')
    count = 0
    if docs is not None:
        from bridge.models import TicketQuery

        page = service.list_tickets(**filters, limit=1)  # checks the filters; names problems
        problems = page.problems
        stream = docs(TicketQuery(**filters))
    else:
        problems = []
        stream = (t.model_dump_json() for t in service.iter_tickets(**filters))
    for doc in stream:
        out.write("\n" if count == 0 else ",\n")
        out.write(doc)
        count += 1
    for problem in problems:
        sys.stderr.write(f"warning: skipped unreadable ticket: {problem}\n")
    tail = f'"total": {count}, "next_cursor": null, "problems": {json.dumps(problems)}'
    out.write(f"\n], {tail}}}\n")
    return 0


def add_list_command(sub: Any) -> None:
    p = command(
        sub,
        "list",
        "list tickets; filters combine (AND), values of one filter are alternatives (OR)",
        "ticket-bridge list --status open,in_progress --assignee engineer",
        "ticket-bridge list -p high -p critical --sort priority --desc",
        'ticket-bridge list --text "login error" --comments --json',
        description="Tickets matching every filter given, oldest first unless sorted. "
        "Options marked 'repeatable' take several values, repeated or as a comma list.",
    )
    p.add_argument(
        "-s", "--status", action=Many, allowed=STATUSES, metavar="STATUS",
        help=f"repeatable: {', '.join(STATUSES)}",
    )  # fmt: skip
    p.add_argument(
        "-p", "--priority", action=Many, allowed=PRIORITIES, metavar="PRIORITY",
        help=f"repeatable: {', '.join(PRIORITIES)}",
    )  # fmt: skip
    p.add_argument(
        "-t", "--type", action=Many, allowed=TYPES, metavar="TYPE",
        help=f"repeatable: {', '.join(TYPES)}",
    )  # fmt: skip
    _add_more(p)


def _add_more(p: argparse.ArgumentParser) -> None:
    p.add_argument("-a", "--assignee", metavar="AGENT", help="only this assignee's (one)")
    p.add_argument(
        "-l", "--label", action=Many, metavar="LABEL",
        help="repeatable: tickets carrying every label given",
    )  # fmt: skip
    p.add_argument("--parent", metavar="ID", help="only the subtasks of this ticket")
    p.add_argument("--since", metavar="TIME", help="updated at or after this ISO date or time")
    p.add_argument(
        "--text", metavar="WORDS",
        help="every word in the title or description, in any order, any case",
    )  # fmt: skip
    p.add_argument(
        "--comments", action="store_true", help="--text words may also be in the comments"
    )
    p.add_argument("--sort", choices=SORTS, help="order by this (default: created)")
    p.add_argument("--desc", action="store_true", help="newest, latest or most urgent first")
    p.add_argument(
        "--limit",
        type=int,
        default=50,
        metavar="N",
        help=f"per page (default 50, at most {MAX_LIMIT})",
    )
    p.add_argument(
        "--cursor", metavar="CURSOR", help="the next page, as the last page's footer gives it"
    )
    p.add_argument("--all", action="store_true", help="every page at once")
    p.set_defaults(handler=cmd_list)
