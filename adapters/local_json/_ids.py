"""Ticket ids: ``PREFIX-YYYYMMDDHHMMSS``, with ``-2``, ``-3``... within the same second.

Allocated under the store's write lock: the last id handed out is in the index's meta, and
remembered by the process that allocated it for as long as no other process has written.
"""

from __future__ import annotations

from adapters.local_json._layout import Layout

__all__ = ["Ids"]


class Ids:
    """The id allocator of one store."""

    def __init__(self, prefix: str, layout: Layout) -> None:
        self.prefix = prefix
        self.layout = layout
        self._last: tuple[str, int] | None = None

    def next(self, second: str, *, remembered: bool) -> tuple[str, dict[str, str]]:
        """A new id for a ticket created in ``second``, and the meta to store with it.

        ``remembered`` says the store is as this process's last write left it, so the id it
        remembers is still the last one."""
        base = f"{self.prefix}-{second}"
        last: list[str | None]
        if self._last is not None and remembered:
            last = [self._last[0], str(self._last[1])]
        else:
            last = self.layout.index.metas("id_base", "id_seq")
        last_base, last_seq = last
        n = int(last_seq or "1") + 1 if last_base == base else 1
        tickets = self.layout.tickets
        while True:
            candidate = base if n == 1 else f"{base}-{n}"
            if not tickets.exists(f"{candidate}.json"):
                return candidate, {"id_base": base, "id_seq": str(n)}
            n += 1

    def remember(self, meta: dict[str, str]) -> None:
        """After a write that stored ``meta``: remember the id it allocated, if any."""
        if "id_seq" in meta:
            self._last = (meta["id_base"], int(meta["id_seq"]))
