"""The commands about links and the tracker: link, children, outbox, sync, conflicts, init."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.cli._common import command, emit
from bridge.cli.outbox import add_outbox_command
from bridge.cli.table import show_table
from bridge.defaults import ID_PREFIX
from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = ["EXAMPLE_NAME", "add_init_command", "add_link_commands", "cmd_init"]

EXAMPLE_NAME = "config.example.toml"

CONFIG_TEMPLATE = """\
# ticket-bridge configuration; `ticket-bridge init --example` writes config.example.toml,
# which lists every key.
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
    from bridge.render import TICKET_HEADERS, ticket_rows

    children = service.get_children(args.id)
    if args.json or not children:
        emit(args, children, "no children")
    else:
        show_table(args, TICKET_HEADERS, ticket_rows(children))
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
    from bridge.render import render_table, stamp_text
    from bridge.sync import open_sync

    config = load_config(args.config)
    with open_sync(config, args.name or args.tracker, dry_run=True) as session:
        found = session.state.conflicts()
    rows = [
        [stamp_text(c.at), c.local_id, c.remote_id, c.field, c.local_value, c.remote_value, c.kept]
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
    lines, written = [], []
    if target.exists():
        lines.append(f"{target} already exists; leaving it as it is")
    else:
        target.write_text(CONFIG_TEMPLATE.format(prefix=ID_PREFIX), encoding="utf-8")
        lines.append(f"wrote {target}")
        written.append(str(target))
    if args.example:
        lines.append(_write_example(target.parent / EXAMPLE_NAME, written))
    from bridge.render import describe

    with build_service(load_config(target), args.tracker) as service:
        ready = describe(service)
    lines.append(f"tracker ready: {ready}")
    emit(args, {"config": str(target), "written": written, "tracker": ready}, "\n".join(lines))
    return 0


def _write_example(path: Path, written: list[str]) -> str:
    if path.exists():
        return f"{path} already exists; leaving it as it is"
    from importlib.resources import files

    path.write_text(files("bridge").joinpath(EXAMPLE_NAME).read_text("utf-8"), encoding="utf-8")
    written.append(str(path))
    return f"wrote {path} (every key, commented)"


def add_init_command(sub: Any) -> None:
    p = command(
        sub, "init", "write ticket-bridge.toml and create the local store",
        "ticket-bridge init", "ticket-bridge init --example",
    )  # fmt: skip
    p.add_argument(
        "--example",
        action="store_true",
        help=f"also write {EXAMPLE_NAME}, which lists every key with its default",
    )
    p.set_defaults(standalone=cmd_init)


def add_link_commands(sub: Any) -> None:
    p = command(
        sub, "link", "set a parent or a dependency (or --remove it)",
        "ticket-bridge link CHILD --parent PARENT", "ticket-bridge link ID --depends-on OTHER",
        "ticket-bridge link ID --depends-on OTHER --remove",
    )  # fmt: skip
    p.add_argument("id", metavar="ID", help="the ticket to change")
    p.add_argument("--parent", metavar="ID", help="make ID a subtask of this ticket")
    p.add_argument("--depends-on", metavar="ID", help="record that ID is blocked by this one")
    p.add_argument("--remove", action="store_true", help="remove that link instead")
    p.set_defaults(handler=cmd_link)

    p = command(sub, "children", "the subtasks of a ticket", "ticket-bridge children PARENT")
    p.add_argument("id", metavar="ID", help="the parent ticket")
    p.set_defaults(handler=cmd_children)

    add_outbox_command(sub)

    p = command(
        sub, "sync", "two-way sync of the local store with a tracker",
        "ticket-bridge sync github", "ticket-bridge sync jira --dry-run",
        "ticket-bridge --json sync github --pull-only",
    )  # fmt: skip
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

    p = command(
        sub, "conflicts", "fields a sync found edited on both sides",
        "ticket-bridge conflicts github",
    )  # fmt: skip
    p.add_argument("name", nargs="?", help="the [trackers.<name>] (default: [bridge]'s)")
    p.set_defaults(standalone=cmd_conflicts)
