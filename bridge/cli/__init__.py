"""``ticket-bridge``: the command line. Thin: parse, load config, call the service, render.

Errors are one line on stderr and a non-zero exit code: 1 for a bridge error, 2 for bad usage.

The parser is built without importing the models (and pydantic): each handler imports what
it needs when it runs. The commands of extensions (the PM workflow layer's, ...) are added
only when one of them is asked for, or all commands with ``--help-all``, since importing
them costs more than the whole of ``ticket-bridge --help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bridge.cli._common import Handler
from bridge.cli.fields import add_field_commands
from bridge.cli.tickets import add_ticket_commands
from bridge.cli.tracker import add_link_commands, cmd_init
from bridge.errors import BridgeError

__all__ = ["build_parser", "main"]


def build_parser(*, extensions: bool = True) -> argparse.ArgumentParser:
    """The whole command line (the core commands only, without ``extensions``)."""
    return _build(extensions=extensions)[0]


def _build(*, extensions: bool) -> tuple[argparse.ArgumentParser, set[str]]:
    """The parser and the names of its commands."""
    parser = argparse.ArgumentParser(
        prog="ticket-bridge",
        description="One ticketing API over GitHub Issues, Jira and a local JSON store.",
        epilog=None
        if extensions
        else "The commands of the PM workflow layer and other extensions (workload, sla, "
        "tree, ...) are listed by --help-all.",
    )
    parser.add_argument(
        "--config",
        help="config file (default: $TICKET_BRIDGE_CONFIG, "
        "./ticket-bridge.toml, else a local store in ./.tickets)",
    )
    parser.add_argument("--tracker", help="a [trackers.<name>] section other than [bridge]'s")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "--help-all", action="store_true", help="show this help with every command, and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("init", help="write ticket-bridge.toml and create the local store")
    add_ticket_commands(sub)
    add_link_commands(sub)
    add_field_commands(sub)
    if extensions:
        for register in _extensions():
            register(sub)
    return parser, set(sub.choices)


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse with the core parser when it knows the command, else with every command."""
    core, commands = _build(extensions=False)
    if "--help-all" not in argv:
        top, _ = _TOP.parse_known_args(argv)
        if not top.rest or top.rest[0] in commands:
            return core.parse_args(argv)
    parser = build_parser()
    args = parser.parse_args([a for a in argv if a != "--help-all"] or ["--help"])
    if "--help-all" in argv:
        parser.print_help()
        raise SystemExit(0)
    return args


_TOP = argparse.ArgumentParser(add_help=False)
for _flag in ("--config", "--tracker"):
    _TOP.add_argument(_flag)
for _flag in ("--json", "-v", "--verbose", "-h", "--help", "--help-all"):
    _TOP.add_argument(_flag, action="store_true")
_TOP.add_argument("rest", nargs=argparse.REMAINDER)


def _extensions() -> list[Callable[[Any], None]]:
    from bridge.mcp.commands import register as mcp
    from bridge.workflows.commands import register as workflows

    return [workflows, mcp]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    import logging

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
