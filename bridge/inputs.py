"""Checks of values that pydantic's own types let through: text that cannot be stored as
UTF-8 (lone surrogates, which is also what undecodable command-line bytes become), numbers
JSON cannot hold (NaN, infinity) and metadata nested without bound.

Each raises ``ValueError`` with a message that names the value; the models call them from
their validators, so the caller sees one :class:`~bridge.errors.InvalidError` naming the
field too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from bridge.errors import InvalidError

__all__ = ["MAX_ID", "MAX_META_DEPTH", "check_json", "check_text", "check_ticket_id", "shown"]

MAX_META_DEPTH = 32
MAX_ID = 128
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def shown(value: object, width: int = 40) -> str:
    """A short ``repr`` of ``value`` for a message."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def check_text(value: str) -> str:
    """``value`` if it can be written as UTF-8; else ``ValueError`` naming the bad character."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start]
            raise ValueError(
                f"{shown(value)} holds {bad!r} at {exc.start}, which is not text (a lone "
                "surrogate, or bytes that were not valid UTF-8)"
            ) from None
    return value


def check_json(value: Any, max_depth: int = MAX_META_DEPTH) -> Any:
    """``value`` if it is JSON that can be stored as given: string keys, finite numbers,
    text without surrogates, at most ``max_depth`` containers deep."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, Mapping | list | tuple):
            if depth > max_depth:
                raise ValueError(f"nested more than {max_depth} levels deep (at {where or '.'})")
            pairs = item.items() if isinstance(item, Mapping) else enumerate(item)
            for key, child in pairs:
                name = str(key).encode("utf-8", "backslashreplace").decode()
                path = f"{where}.{name}" if where else name
                if isinstance(key, str):
                    _text_at(key, path)
                stack.append((child, depth + 1, path))
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{item!r} at {where or '.'} is not a JSON number")
        elif isinstance(item, str):
            _text_at(item, where)
    return value


def _text_at(text: str, where: str) -> None:
    try:
        check_text(text)
    except ValueError as exc:
        raise ValueError(f"{exc} (at {where or '.'})") from None


def check_ticket_id(value: object, *, adapter: str | None = None) -> str:
    """Return ``value`` if it is a well-formed ticket id, else raise :class:`InvalidError`.

    An id is 1-128 characters of letters, digits, ``.``, ``_`` and ``-``, starting with a
    letter or digit and never containing ``..``: it can never name a path outside a store.
    """
    if not isinstance(value, str):
        raise InvalidError(
            f"ticket id must be a string, got {type(value).__name__}", adapter=adapter
        )
    brief = value if len(value) <= 40 else value[:37] + "..."
    if not value:
        raise InvalidError("ticket id must not be empty", adapter=adapter)
    if len(value) > MAX_ID:
        raise InvalidError(
            f"ticket id {brief!r} is {len(value)} characters long; the maximum is {MAX_ID}",
            adapter=adapter,
        )
    if not _ID_RE.fullmatch(value) or ".." in value:
        raise InvalidError(
            f"invalid ticket id {brief!r}: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit",
            adapter=adapter,
        )
    return value
