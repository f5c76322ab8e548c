"""The commands about links and the tracker: link, children, outbox, sync, conflicts, init."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.cli._common import emit
from bridge.cli.outbox import add_outbox_command
from bridge.defaults import ID_PREFIX
from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = ["add_link_commands", "cmd_init"]

CONFIG_TEMPLATE = """\
# ticket-bridge configuration; see config.example.toml for every key.
[bridge]
tracker = "local"

[trackers.local]
type = "local_json"
path = ".tickets"
id_prefix = "{prefix}"
"""


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
    emit(
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
    emit(args, children, text)
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
            wait=args.wait,
        ) as session,
    ):
        report = session.syncer.run(
            pull=not args.push_only, push=not args.pull_only, full=args.full
        )
    text = report.summary()
    if session.replayed:
        text = f"outbox: {session.replayed} queued operations replayed\n" + text
    emit(args, {**report.as_dict(), "replayed": session.replayed}, text)
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
    emit(
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


def add_link_commands(sub: Any) -> None:
    p = sub.add_parser("link", help="set a parent or a dependency (or --remove it)")
    p.add_argument("id")
    p.add_argument("--parent")
    p.add_argument("--depends-on")
    p.add_argument("--remove", action="store_true")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("children", help="the subtasks of a ticket")
    p.add_argument("id")
    p.set_defaults(handler=cmd_children)

    add_outbox_command(sub)

    p = sub.add_parser("sync", help="two-way sync of the local store with a tracker")
    p.add_argument("name", nargs="?", help="the [trackers.<name>] to sync (default: [bridge]'s)")
    p.add_argument("--pull-only", action="store_true", help="bring tracker changes here only")
    p.add_argument("--push-only", action="store_true", help="send local changes only")
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p.add_argument("--full", action="store_true", help="read everything, not just changes")
    p.add_argument(
        "--wait", action="store_true", help="wait for a sync already running, instead of exit 1"
    )
    p.add_argument(
        "--policy",
        choices=("newer", "local-wins", "remote-wins"),
        help="a field edited on both sides: which edit is kept (default: [sync] policy)",
    )
    p.set_defaults(standalone=cmd_sync)

    p = sub.add_parser("conflicts", help="fields a sync found edited on both sides")
    p.add_argument("name", nargs="?", help="the [trackers.<name>] (default: [bridge]'s)")
    p.set_defaults(standalone=cmd_conflicts)
