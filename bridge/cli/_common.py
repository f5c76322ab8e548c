"""What every command shares: output, and parsing of JSON and time arguments."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bridge.errors import InvalidError

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = ["Handler", "emit", "parse_meta", "parse_since"]

Handler = Callable[[argparse.Namespace, "TicketingService"], int]


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    from bridge.render import print_json

    if args.json:
        print_json(data, sys.stdout)
    else:
        sys.stdout.write(text + "\n")


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
