"""Tables for people: drawn with rich on a terminal, plain aligned columns when piped.

Colour is used only when stdout is a terminal, ``NO_COLOR`` is unset (or empty),
``TERM`` is not ``dumb`` and the output is not ``--json``; only then is rich imported, so
piped and JSON output cost what they did before. Piped, stdout holds the header and the
rows only (a stable format for scripts) and a footer (the total line) goes to stderr. Both
forms show control and bidi characters as escapes (``bridge.render.safe_line``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

__all__ = ["PRIORITY_STYLES", "STATUS_STYLES", "colour", "show_table"]

PRIORITY_STYLES = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "dim",
}
STATUS_STYLES = {
    "open": "cyan",
    "in_progress": "yellow",
    "blocked": "bold red",
    "resolved": "green",
    "closed": "dim",
}
_STYLES = {"status": STATUS_STYLES, "priority": PRIORITY_STYLES}


def colour(args: argparse.Namespace | None = None) -> bool:
    """True when output goes to a terminal that wants colour."""
    if args is not None and getattr(args, "json", False):
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def show_table(
    args: argparse.Namespace,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    footer: str | None = None,
) -> None:
    """Write the table (and a footer line) to stdout, in colour on a terminal."""
    if colour(args):
        _draw(headers, rows, footer)
        return
    from bridge.render import render_table

    sys.stdout.write(render_table(headers, rows) + "\n")
    if footer:  # piped, stdout is the rows alone; the person still sees the footer
        sys.stderr.write(footer + "\n")


def _draw(headers: Sequence[str], rows: Sequence[Sequence[object]], footer: str | None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bridge.render import safe_line

    table = Table(box=None, header_style="bold", pad_edge=False)
    for i, header in enumerate(headers):
        last = i == len(headers) - 1
        table.add_column(
            header.upper(), no_wrap=not last, overflow="ellipsis" if last else "fold", ratio=None
        )
    for row in rows:
        cells = []
        for header, value in zip(headers, row, strict=True):
            text = "-" if value is None else safe_line(str(value))
            cells.append(Text(text, style=_STYLES.get(header, {}).get(text, "")))
        table.add_row(*cells)
    console = Console(highlight=False)
    console.print(table)
    if footer:
        console.print(Text(footer, style="dim"))
