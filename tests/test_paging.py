"""The cursor and the page filler the adapters share (``adapters._paging``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters._paging import Cursor, fill_page
from bridge.errors import InvalidError
from bridge.models import Ticket, utcnow


def _ticket(n: int) -> Ticket:
    now = utcnow()
    return Ticket(id=f"T-{n}", title=f"t{n}", created_at=now, updated_at=now)


class Server:
    """Tracker pages of ``size`` tickets numbered from 0; positions are page numbers."""

    def __init__(self, total: int, size: int) -> None:
        self.tickets = [_ticket(n) for n in range(total)]
        self.size = size
        self.reads: list[str] = []

    def fetch(self, position: str) -> tuple[Sequence[Ticket], str | None]:
        self.reads.append(position)
        number = int(position or 0)
        page = self.tickets[number * self.size : (number + 1) * self.size]
        more = (number + 1) * self.size < len(self.tickets)
        return page, str(number + 1) if more else None


def _even(ticket: Ticket) -> bool:
    return int(ticket.id.split("-")[1]) % 2 == 0


def _numbers(tickets: Sequence[Ticket]) -> list[int]:
    return [int(t.id.split("-")[1]) for t in tickets]


def test_cursor_round_trips_through_its_text() -> None:
    for cursor in (Cursor(), Cursor("7", 3), Cursor("2024-01-01T00:00:00|TB-1", 0)):
        assert Cursor.parse(str(cursor)) == cursor
    assert Cursor.parse(None) == Cursor()
    assert str(Cursor("abc", 2)) == "abc|2"


@pytest.mark.parametrize("text", ["", "7", "7|", "7|x", "7|-1", "x|1"])
def test_text_no_page_handed_out_is_invalid(text: str) -> None:
    with pytest.raises(InvalidError, match="pass a page's next_cursor back as it is") as caught:
        Cursor.parse(text, valid=str.isdigit)
    assert repr(text) in caught.value.message


def test_an_empty_position_is_the_first_page_whatever_the_check() -> None:
    assert Cursor.parse("|4", valid=str.isdigit) == Cursor("", 4)


def test_pages_visit_every_kept_ticket_once_in_order() -> None:
    server = Server(total=23, size=5)
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = fill_page(server.fetch, Cursor.parse(cursor), 3, _even)
        seen += _numbers(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(range(0, 23, 2))


def test_a_page_stopped_inside_a_tracker_page_resumes_there() -> None:
    server = Server(total=10, size=10)
    page = fill_page(server.fetch, Cursor(), 2, _even)
    assert _numbers(page) == [0, 2]
    assert page.next_cursor == "|2"
    server.reads.clear()
    rest = fill_page(server.fetch, Cursor.parse(page.next_cursor), 10, _even)
    assert _numbers(rest) == [4, 6, 8]
    assert rest.next_cursor is None
    assert server.reads == [""]


def test_a_page_full_at_a_tracker_page_boundary_does_not_read_the_next() -> None:
    server = Server(total=10, size=5)
    page = fill_page(server.fetch, Cursor(), 5)
    assert _numbers(page) == [0, 1, 2, 3, 4]
    assert page.next_cursor == "1|0"
    assert server.reads == [""]


def test_the_last_tracker_page_ends_the_list() -> None:
    server = Server(total=4, size=5)
    page = fill_page(server.fetch, Cursor(), 4)
    assert _numbers(page) == [0, 1, 2, 3]
    assert page.next_cursor is None


def test_tracker_pages_with_nothing_kept_are_read_through() -> None:
    server = Server(total=12, size=3)
    page = fill_page(server.fetch, Cursor(), 2, lambda t: t.id in {"T-10", "T-11"})
    assert _numbers(page) == [10, 11]
    assert page.next_cursor is None
    assert server.reads == ["", "1", "2", "3"]
