"""``ticket-bridge``: the command line. Thin: parse, load config, call the service, render.

Errors are one line on stderr and a non-zero exit code: 1 for a bridge error, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bridge.cli._common import Handler
from bridge.cli.tickets import add_ticket_commands
from bridge.cli.tracker import add_link_commands, cmd_init
from bridge.errors import BridgeError

__all__ = ["build_parser", "main"]


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
    add_ticket_commands(sub)
    add_link_commands(sub)
    for register in _extensions():
        register(sub)
    return parser


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
