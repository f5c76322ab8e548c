"""Pages of tickets filled from a tracker's own pages, and the cursor that resumes them.

A tracker answers in pages of its own (GitHub's ``page=``, Jira's ``nextPageToken`` or
``startAt``, the local index's last key); the adapters may keep only part of each (a filter
the tracker cannot express). A :class:`Cursor` names the tracker page to read next and how
many of its kept tickets were already returned, so the next call starts exactly where the
last one stopped without reading the pages before it again. As text it is
``<position>|<skip>``: the position is the adapter's own and may hold ``|`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bridge.errors import InvalidError
from bridge.models import Ticket, TicketPage

__all__ = ["Cursor", "Fetch", "fill_page", "invalid_cursor"]

Fetch = Callable[[str], tuple[Sequence[Ticket], str | None]]
"""Reads the tracker page at a position ("" is the first): its tickets, the next position
or ``None`` after the last page."""


def invalid_cursor(text: str) -> InvalidError:
    """The error for cursor text that no page handed out."""
    return InvalidError(f"invalid cursor {text!r}: pass a page's next_cursor back as it is")


def _every(ticket: Ticket) -> bool:
    return True


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: a tracker page's position, and how many of its kept tickets to skip.

    The default, ``Cursor()``, is the first page.
    """

    position: str = ""
    skip: int = 0

    @classmethod
    def parse(cls, text: str | None, *, valid: Callable[[str], bool] | None = None) -> Cursor:
        """The cursor ``text`` spells (the first page's for ``None``).

        ``valid`` checks a non-empty position in the adapter's own terms; any text that is not
        ``<position>|<skip>`` with a valid position raises :class:`InvalidError`.
        """
        if text is None:
            return cls()
        position, sep, skip = text.rpartition("|")
        if not sep or not skip.isdigit() or (position and valid and not valid(position)):
            raise invalid_cursor(text)
        return cls(position, int(skip))

    def __str__(self) -> str:
        return f"{self.position}|{self.skip}"


def fill_page(
    fetch: Fetch, start: Cursor, limit: int, keep: Callable[[Ticket], bool] = _every
) -> TicketPage:
    """Up to ``limit`` tickets that ``keep`` accepts, from ``start`` on, with the next cursor.

    Tracker pages are read one after another until the page is full or the tracker has no
    more. A full page ends with the cursor of the tracker page it stopped in and the number of
    that page's kept tickets consumed, or with the next tracker page's cursor when it stopped
    at a page boundary, which is not read until the caller asks for it.
    """
    found: list[Ticket] = []
    position, skip = start.position, start.skip
    while True:
        tickets, after = fetch(position)
        kept = [ticket for ticket in tickets if keep(ticket)]
        for index, ticket in enumerate(kept[skip:], start=skip):
            if len(found) == limit:
                return TicketPage(found, next_cursor=str(Cursor(position, index)))
            found.append(ticket)
        if after is None:
            return TicketPage(found)
        position, skip = after, 0
        if len(found) == limit:
            return TicketPage(found, next_cursor=str(Cursor(after)))
