"""``ticket-bridge``: the command line. Thin: parse, load config, call the service, render.

Errors are one line on stderr and a non-zero exit code: 1 for a bridge error, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bridge.defaults import ID_PREFIX
from bridge.errors import BridgeError, InvalidError
from bridge.service import TicketingService

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace, TicketingService], int]

CONFIG_TEMPLATE = """\
# ticket-bridge configuration; see config.example.toml for every key.
[bridge]
tracker = "local"

[trackers.local]
type = "local_json"
path = ".tickets"
id_prefix = "{prefix}"
"""


def _out(args: argparse.Namespace, data: Any, text: str) -> None:
    from bridge.render import print_json

    if args.json:
        print_json(data, sys.stdout)
    else:
        sys.stdout.write(text + "\n")


def _meta(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise InvalidError(f"--meta is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidError("--meta must be a JSON object, e.g. '{\"phase\": 1}'")
    return value


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidError(f"--since {raw!r} is not an ISO date or time") from None


# ---------------------------------------------------------------- handlers


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
        metadata=_meta(args.meta),
    )
    _out(args, ticket, ticket.id)
    return 0


def cmd_show(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.render import render_ticket

    ticket = service.get_ticket(args.id)
    comments = service.list_comments(args.id)
    _out(
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
        "updated_since": _since(args.since),
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
        _out(args, {"tickets": tickets, "next_cursor": next_cursor, "problems": problems}, "")
        return 0
    text = render_table(TICKET_HEADERS, ticket_rows(tickets)) if tickets else "no tickets"
    if next_cursor:
        text += f"\n(more: --cursor '{next_cursor}')"
    _out(args, None, text)
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
            ("metadata", _meta(args.meta)),
        )
        if value is not None
    }
    if args.unassign:
        changes["assignee"] = None
    if not changes:
        raise InvalidError("nothing to update: give at least one of --title, --status, ...")
    ticket = service.update_ticket(args.id, **changes)
    _out(args, ticket, f"{ticket.id} updated")
    return 0


def cmd_comment(args: argparse.Namespace, service: TicketingService) -> int:
    comment = service.add_comment(args.id, args.text, author=args.author)
    _out(args, comment, f"{comment.id} added to {args.id}")
    return 0


def cmd_close(args: argparse.Namespace, service: TicketingService) -> int:
    status = "resolved" if args.resolved else "closed"
    ticket = service.close_ticket(args.id, resolution=args.resolution, status=status)
    _out(args, ticket, f"{ticket.id} {ticket.status.value}")
    return 0


def cmd_reopen(args: argparse.Namespace, service: TicketingService) -> int:
    ticket = service.reopen_ticket(args.id)
    _out(args, ticket, f"{ticket.id} reopened")
    return 0


def cmd_link(args: argparse.Namespace, service: TicketingService) -> int:
    if (args.parent is None) == (args.depends_on is None):
        raise InvalidError("give exactly one of --parent or --depends-on")
    if args.parent is not None:
        if args.remove:
            ticket = service.unlink_parent(args.id)
        else:
            ticket = service.link_parent(args.id, args.parent)
    elif args.remove:
        ticket = service.remove_dependency(args.id, args.depends_on)
    else:
        ticket = service.add_dependency(args.id, args.depends_on)
    _out(
        args,
        ticket,
        f"{ticket.id}: parent {ticket.parent_id or '-'}, depends on "
        f"{', '.join(ticket.dependencies) or '-'}",
    )
    return 0


def cmd_children(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.render import TICKET_HEADERS, render_table, ticket_rows

    children = service.get_children(args.id)
    text = render_table(TICKET_HEADERS, ticket_rows(children)) if children else "no children"
    _out(args, children, text)
    return 0


def _resilient(service: TicketingService) -> Any:
    from bridge.resilience import ResilientService

    if not isinstance(service, ResilientService) or service.outbox is None:
        raise InvalidError(
            f"{service!r} has no outbox: the local store never falls back; "
            "select a github or jira tracker (--tracker NAME)"
        )
    return service


def cmd_outbox(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.render import render_table

    entries = _resilient(service).outbox.entries()
    rows = [[e.seq, e.op, e.ticket_id, e.state, e.created_at[:19], e.error] for e in entries]
    text = render_table(("seq", "op", "ticket", "state", "queued", "error"), rows)
    _out(args, [e.__dict__ for e in entries], text if entries else "the outbox is empty")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from bridge.config import load_config
    from bridge.sync import open_sync
    from bridge.sync.progress import progress_bar

    if args.pull_only and args.push_only:
        raise InvalidError("--pull-only and --push-only exclude each other")
    config = load_config(args.config)
    with (
        progress_bar(enabled=not args.json) as progress,
        open_sync(
            config,
            args.name or args.tracker,
            policy=args.policy,
            dry_run=args.dry_run,
            progress=progress,
        ) as session,
    ):
        report = session.syncer.run(
            pull=not args.push_only, push=not args.pull_only, full=args.full
        )
    text = report.summary()
    if session.replayed:
        text = f"outbox: {session.replayed} queued operations replayed\n" + text
    _out(args, {**report.as_dict(), "replayed": session.replayed}, text)
    return 1 if report.problems else 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from bridge.config import load_config
    from bridge.render import render_table
    from bridge.sync import open_sync

    config = load_config(args.config)
    with open_sync(config, args.name or args.tracker, dry_run=True) as session:
        found = session.state.conflicts()
    rows = [
        [c.at[:19], c.local_id, c.remote_id, c.field, c.local_value, c.remote_value, c.kept]
        for c in found
    ]
    headers = ("when", "local", "tracker", "field", "here", "there", "kept")
    _out(
        args, [c.__dict__ for c in found], render_table(headers, rows) if found else "no conflicts"
    )
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from bridge.config import DEFAULT_FILE, load_config
    from bridge.factory import build_service

    target = Path(args.config or DEFAULT_FILE)
    if target.exists():
        sys.stdout.write(f"{target} already exists; leaving it as it is\n")
    else:
        target.write_text(CONFIG_TEMPLATE.format(prefix=ID_PREFIX), encoding="utf-8")
        sys.stdout.write(f"wrote {target}\n")
    with build_service(load_config(target)) as service:
        sys.stdout.write(f"tracker ready: {service!r}\n")
    return 0


# ---------------------------------------------------------------- parser


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


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="ticket-bridge",
        description="One ticketing API over GitHub Issues, Jira and a local JSON store.",
    )
    parser.add_argument(
        "--config",
        help="config file (default: $TICKET_BRIDGE_CONFIG, "
        "./ticket-bridge.toml, else a local store in ./.tickets)",
    )
    parser.add_argument("--tracker", help="a [trackers.<name>] section other than [bridge]'s")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("init", help="write ticket-bridge.toml and create the local store")
    _add_ticket_commands(sub)
    _add_link_commands(sub)
    for register in _extensions():
        register(sub)
    return parser


def _add_ticket_commands(sub: Any) -> None:

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


def _add_link_commands(sub: Any) -> None:
    p = sub.add_parser("link", help="set a parent or a dependency (or --remove it)")
    p.add_argument("id")
    p.add_argument("--parent")
    p.add_argument("--depends-on")
    p.add_argument("--remove", action="store_true")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("children", help="the subtasks of a ticket")
    p.add_argument("id")
    p.set_defaults(handler=cmd_children)

    p = sub.add_parser("outbox", help="operations queued while the tracker was unreachable")
    p.set_defaults(handler=cmd_outbox)

    p = sub.add_parser("sync", help="two-way sync of the local store with a tracker")
    p.add_argument("name", nargs="?", help="the [trackers.<name>] to sync (default: [bridge]'s)")
    p.add_argument("--pull-only", action="store_true", help="bring tracker changes here only")
    p.add_argument("--push-only", action="store_true", help="send local changes only")
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p.add_argument("--full", action="store_true", help="read everything, not just changes")
    p.add_argument(
        "--policy",
        choices=("newer", "local-wins", "remote-wins"),
        help="a field edited on both sides: which edit is kept (default: [sync] policy)",
    )
    p.set_defaults(standalone=cmd_sync)

    p = sub.add_parser("conflicts", help="fields a sync found edited on both sides")
    p.add_argument("name", nargs="?", help="the [trackers.<name>] (default: [bridge]'s)")
    p.set_defaults(standalone=cmd_conflicts)


def _extensions() -> list[Callable[[Any], None]]:
    from bridge.mcp.commands import register as mcp
    from bridge.workflows.commands import register as workflows

    return [workflows, mcp]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "init":
            return cmd_init(args)
        if getattr(args, "standalone", None) is not None:
            standalone: Callable[[argparse.Namespace], int] = args.standalone
            return standalone(args)
        from bridge.config import load_config
        from bridge.factory import build_service

        tracker = args.tracker or getattr(args, "name", None)
        service = build_service(load_config(args.config), tracker)
        try:
            handler: Handler = args.handler
            return handler(args, service)
        finally:
            service.close()
    except BridgeError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
