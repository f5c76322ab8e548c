"""A progress bar for long syncs, drawn with rich on a terminal; silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bridge.sync.engine import Progress

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(*, enabled: bool = True, minimum: int = 200) -> Iterator[Progress | None]:
    """A ``(stage, done, total)`` callback that draws a bar once a stage has ``minimum``
    items; ``None`` when stderr is not a terminal or rich is not installed."""
    try:
        from rich.progress import Progress as Bar
    except ImportError:
        yield None
        return
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Bar(transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < minimum:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update
