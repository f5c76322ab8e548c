"""What every command shares: output, help text, and parsing of lists, JSON and times."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = [
    "EXIT_CODES",
    "SLA_BREACHED",
    "Handler",
    "Many",
    "command",
    "emit",
    "examples",
    "parse_meta",
    "parse_since",
]

Handler = Callable[[argparse.Namespace, "TicketingService"], int]

SLA_BREACHED = 3

EXIT_CODES = """\
exit codes:
  0    ok
  1    the operation failed (one line on stderr: error: ...)
  2    usage: an unknown option or a bad value (error: ... and a hint)
  3    sla: tickets are past their SLA
  130  interrupted"""


def examples(*lines: str) -> str:
    """The epilog of a command: its examples."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def command(sub: Any, name: str, summary: str, *example: str, **kwargs: Any) -> Any:
    """A command's parser with its summary, examples and the exit codes in its help."""
    description = kwargs.pop("description", summary[:1].upper() + summary[1:] + ".")
    if "\n" not in description:  # prose: wrapped here, as the raw formatter keeps it
        import textwrap

        description = textwrap.fill(description, width=79)
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=examples(*example) + "\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


class Many(argparse.Action):
    """A repeatable option that also takes comma lists: ``-s open,blocked -s closed``; with
    ``choices`` each value is checked (a usage error names the allowed ones)."""

    def __init__(self, *args: Any, allowed: Sequence[str] = (), **kwargs: Any) -> None:
        self.allowed = tuple(allowed)
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        found = list(getattr(namespace, self.dest, None) or [])
        for raw in str(values).split(","):
            value = raw.strip()
            if not value:
                continue
            if self.allowed and value not in self.allowed:
                parser.error(
                    f"{option_string}: invalid value {value!r} (choose from "
                    f"{', '.join(self.allowed)})"
                )
            if value not in found:
                found.append(value)
        setattr(namespace, self.dest, found)


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """``data`` as JSON with ``--json``, else ``text`` with every control and bidi character
    but newlines and tabs shown as an escape (text from a tracker is never obeyed by the
    terminal; escaping twice changes nothing)."""
    if getattr(args, "json", False):
        from bridge.render import print_json

        print_json(data, sys.stdout)
    else:
        from bridge.render import safe_text

        sys.stdout.write(safe_text(text) + "\n")


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_meta(raw: str | None) -> dict[str, Any] | None:
    """``--meta``: a JSON object of finite numbers, at most 32 levels deep (the model checks
    the depth again, and that the text can be stored)."""
    if raw is None:
        return None
    if raw.count("[") + raw.count("{") > 32:
        from bridge.inputs import MAX_META_DEPTH, check_json

        try:
            check_json(json.loads(raw, parse_constant=_no_constant), MAX_META_DEPTH)
        except RecursionError:
            raise InvalidError("--meta is nested too deeply: at most 32 levels") from None
        except ValueError as exc:
            raise InvalidError(f"--meta: {exc}") from None
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except ValueError as exc:
        raise InvalidError(f"--meta is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidError("--meta must be a JSON object, e.g. '{\"phase\": 1}'")
    return value


def parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidError(f"--since {raw!r} is not an ISO date or time") from None
