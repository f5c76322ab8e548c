"""``ticket-bridge``: the command line. Thin: parse, load config, call the service, render.

Errors are one line on stderr and a non-zero exit code (see ``EXIT_CODES``). The global
options (``--json``, ``--config``, ``--tracker``, ``-v``) are accepted before or after the
command.

The parser is built without importing the models (and pydantic): each handler imports what
it needs when it runs. The commands of extensions (the PM workflow layer's, ...) are added
only when one of them is asked for, or all commands with ``--help-all``, since importing
them costs more than the whole of ``ticket-bridge --help``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from bridge._version import __version__
from bridge.cli._common import EXIT_CODES, Handler, examples
from bridge.cli.completion import add_completion_command
from bridge.cli.fields import add_field_commands
from bridge.cli.tickets import add_ticket_commands
from bridge.cli.tracker import add_init_command, add_link_commands
from bridge.errors import BridgeError

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """A parser whose usage errors are one line and a hint, exit code 2; the hint names the
    command's help when a command was given."""

    command: str | None = None
    argv: tuple[str, ...] = ()
    commands: frozenset[str] = frozenset()

    def error(self, message: str) -> NoReturn:
        where = f"{self.prog} {self.command}" if self.command else self.prog
        sys.stderr.write(
            f"error: {self._plain(message)}\n"
            f"hint: see '{where} --help' for the options and examples\n"
        )
        raise SystemExit(2)

    def _plain(self, message: str) -> str:
        """argparse's message, said plainly where it misleads: a mistyped command (with the
        nearest one), or an unknown option where no command was given."""
        if self.command is None and message.startswith("argument COMMAND: invalid choice"):
            wrong = next((a for a in self.argv if not a.startswith("-")), "")
            near = difflib.get_close_matches(wrong, sorted(self.commands), n=1)
            return f"no command {wrong!r}" + (f"; did you mean {near[0]!r}?" if near else "")
        if self.command is None and "required: COMMAND" in message:
            unknown = [a for a in self.argv if a.startswith("-") and a.split("=")[0] not in _KNOWN]
            return f"unknown option {unknown[0]!r}" if unknown else "no command given"
        return message


def _parse_with(
    parser: argparse.ArgumentParser, argv: list[str], commands: set[str]
) -> argparse.Namespace:
    if isinstance(parser, _Parser):
        parser.command = next((a for a in argv if a in commands), None)
        parser.argv, parser.commands = tuple(argv), frozenset(commands)
    return parser.parse_args(argv)


def build_parser(*, extensions: bool = True) -> argparse.ArgumentParser:
    """The whole command line (the core commands only, without ``extensions``)."""
    return _build(extensions=extensions)[0]


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--config``, ``--tracker``, ``--json``, ``-v``: on the program and on each command
    (there without defaults, so that a value given before the command stands)."""
    kept: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $TICKET_BRIDGE_CONFIG, ./ticket-bridge.toml, "
        "else a local store in ./.tickets)",
        **kept,
    )
    group.add_argument(
        "--tracker", metavar="NAME", help="a [trackers.<name>] other than [bridge]'s", **kept
    )
    group.add_argument(
        "--json", action="store_true", help="machine-readable output (JSON on stdout)", **kept
    )
    group.add_argument("-v", "--verbose", action="store_true", help="log what happens", **kept)


def _build(*, extensions: bool) -> tuple[argparse.ArgumentParser, set[str]]:
    """The parser and the names of its commands."""
    more = (
        ""
        if extensions
        else "The commands of the PM workflow layer and other extensions (workload, sla, "
        "progress, tree, ready, demo, mcp) are listed by --help-all.\n\n"
    )
    parser = _Parser(
        prog="ticket-bridge",
        description="One ticketing API over GitHub Issues, Jira and a local JSON store.",
        epilog=more
        + examples("ticket-bridge init", "ticket-bridge list --status open --json")
        + "\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, top=True)
    parser.add_argument(
        "--version", action="version", version=f"ticket-bridge {__version__}", help="and exit"
    )
    parser.add_argument(
        "--help-all", action="store_true", help="show this help with every command, and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_init_command(sub)
    add_ticket_commands(sub)
    add_link_commands(sub)
    add_field_commands(sub)
    add_completion_command(sub)
    if extensions:
        for register in _extensions():
            register(sub)
    for command in sub.choices.values():
        _global_options(command, top=False)
    return parser, set(sub.choices)


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse with the core parser when it knows the command, else with every command."""
    core, commands = _build(extensions=False)
    if "--help-all" not in argv:
        top, _ = _TOP.parse_known_args(argv)
        if not top.rest or top.rest[0] in commands:
            return _parse_with(core, argv, commands)
    parser, every = _build(extensions=True)
    args = _parse_with(parser, [a for a in argv if a != "--help-all"] or ["--help"], every)
    if "--help-all" in argv:
        parser.print_help()
        raise SystemExit(0)
    return args


_VALUED = ("--config", "--tracker")
_FLAGS = ("--json", "-v", "--verbose", "-h", "--help", "--help-all", "--version")
_KNOWN = frozenset((*_VALUED, *_FLAGS))
_TOP = argparse.ArgumentParser(add_help=False)
for _flag in _VALUED:
    _TOP.add_argument(_flag)
for _flag in _FLAGS:
    _TOP.add_argument(_flag, action="store_true")
_TOP.add_argument("rest", nargs=argparse.REMAINDER)


def _extensions() -> list[Callable[[Any], None]]:
    from bridge.mcp.commands import register as mcp
    from bridge.workflows.commands import register as workflows

    return [workflows, mcp]


def _complete() -> None:
    """Answer the shell's completion request (argcomplete's protocol), then exit."""
    import argcomplete

    argcomplete.autocomplete(build_parser())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    if argv is None and "_ARGCOMPLETE" in os.environ:
        _complete()
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as stop:  # --help, --version, a usage error
        return stop.code if isinstance(stop.code, int) else 0
    import logging

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _run(args)
    except BridgeError as exc:
        from bridge.render import safe_line

        sys.stderr.write(f"error: {safe_line(str(exc))}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


def _run(args: argparse.Namespace) -> int:
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
