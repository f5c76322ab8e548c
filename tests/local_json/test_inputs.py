"""Bad input through the Python API: an ``InvalidError`` naming the field and the value, and
afterwards the store is byte-identical and ``list`` shows every ticket."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from adapters.local_json import LocalJsonService
from bridge.errors import InvalidError
from tests.local_json.conftest import snapshot


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


LONE = "bad \udcff here"

CASES: dict[str, tuple[Callable[[LocalJsonService, str], object], str]] = {
    "labels string (create)": (lambda s, t: s.create_ticket("x", labels="abc"), "labels.*'abc'"),
    "labels string (update)": (lambda s, t: s.update_ticket(t, labels="abc"), "labels.*'abc'"),
    "dependencies string": (
        lambda s, t: s.create_ticket("x", dependencies="abc"),
        "dependencies.*'abc'",
    ),
    "labels None (update)": (lambda s, t: s.update_ticket(t, labels=None), "labels.*None"),
    "dependencies None (update)": (
        lambda s, t: s.update_ticket(t, dependencies=None),
        "dependencies.*None",
    ),
    "labels None (create)": (lambda s, t: s.create_ticket("x", labels=None), "labels.*None"),
    "NaN metadata": (
        lambda s, t: s.create_ticket("x", metadata={"v": math.nan}),
        r"metadata.*nan.*at v",
    ),
    "inf metadata (update)": (
        lambda s, t: s.update_ticket(t, metadata={"v": [1, math.inf]}),
        r"metadata.*inf.*at v\.1",
    ),
    "metadata 33 deep": (
        lambda s, t: s.create_ticket("x", metadata=_nested(33)),
        "metadata.*32 levels",
    ),
    "metadata 10,000 deep": (
        lambda s, t: s.create_ticket("x", metadata=_nested(10_000)),
        "metadata.*32 levels",
    ),
    "surrogate title": (lambda s, t: s.create_ticket(LONE), "title.*surrogate"),
    "surrogate description": (
        lambda s, t: s.update_ticket(t, description=LONE),
        "description.*surrogate",
    ),
    "surrogate label": (lambda s, t: s.create_ticket("x", labels=[LONE]), "labels.*surrogate"),
    "surrogate assignee": (
        lambda s, t: s.update_ticket(t, assignee=LONE),
        "assignee.*surrogate",
    ),
    "surrogate resolution": (
        lambda s, t: s.close_ticket(t, resolution=LONE),
        "resolution.*surrogate",
    ),
    "surrogate metadata key": (
        lambda s, t: s.create_ticket("x", metadata={LONE: 1}),
        "metadata.*surrogate",
    ),
    "surrogate metadata value": (
        lambda s, t: s.create_ticket("x", metadata={"k": [LONE]}),
        "metadata.*surrogate",
    ),
    "surrogate comment": (lambda s, t: s.add_comment(t, LONE), "comment text.*surrogate"),
    "surrogate author": (lambda s, t: s.add_comment(t, "x", author=LONE), "author.*surrogate"),
    "surrogate filter": (lambda s, t: s.list_tickets(text=LONE), "text.*surrogate"),
    "unknown field (create)": (lambda s, t: s.create_ticket("x", foo=1), "foo: unknown field"),
    "unknown field (update)": (lambda s, t: s.update_ticket(t, foo=1), "foo: unknown field"),
    "comment not a string": (lambda s, t: s.add_comment(t, 5), "text must be a string.*int 5"),
    "bad cursor": (lambda s, t: s.list_tickets(cursor="x|y"), "cursor 'x|y'"),
    "cursor of no key": (lambda s, t: s.list_tickets(cursor="x|y|0"), "cursor 'x|y|0'"),
    "cursor of a bad id": (
        lambda s, t: s.list_tickets(cursor="2025-01-01T00:00:00+00:00|../x|0"),
        "cursor",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_named_and_changes_nothing(
    populated: tuple[LocalJsonService, list[str]], case: str
) -> None:
    service, ids = populated
    call, message = CASES[case]
    before = snapshot(service.root)
    with pytest.raises(InvalidError, match=message):
        call(service, ids[1])
    assert snapshot(service.root) == before
    assert [t.id for t in service.iter_tickets()] == ids
    assert [t.id for t in LocalJsonService(service.root).iter_tickets()] == ids


def test_metadata_32_deep_is_stored(populated: tuple[LocalJsonService, list[str]]) -> None:
    service, _ = populated
    ticket = service.create_ticket("deep enough", metadata=_nested(32))
    assert LocalJsonService(service.root).get_ticket(ticket.id).metadata == _nested(32)


def test_lists_are_still_lists(populated: tuple[LocalJsonService, list[str]]) -> None:
    """Tuples and generators are lists too; [] empties."""
    service, ids = populated
    ticket = service.create_ticket("t", labels=("a", "b"), dependencies=(i for i in ids[:2]))
    assert ticket.labels == ["a", "b"]
    assert ticket.dependencies == ids[:2]
    assert service.update_ticket(ticket.id, labels=[]).labels == []


def test_close_on_a_closed_ticket_changes_nothing(
    populated: tuple[LocalJsonService, list[str]],
) -> None:
    """The resolution is kept; closing it as resolved is a change, and says so."""
    service, ids = populated
    closed = service.close_ticket(ids[0], resolution="fixed in #1")
    before = snapshot(service.root)
    again = service.close_ticket(ids[0], resolution="something else")
    assert again == closed
    assert again.resolution == "fixed in #1"
    assert snapshot(service.root) == before
    resolved = service.close_ticket(ids[0], status="resolved")
    assert (resolved.status, resolved.resolution) == ("resolved", "fixed in #1")


@pytest.mark.parametrize("status", ["open", "in_progress", "blocked"])
def test_reopen_on_a_ticket_that_is_not_done_changes_nothing(
    populated: tuple[LocalJsonService, list[str]], status: str
) -> None:
    service, ids = populated
    ticket = service.update_ticket(ids[0], status=status, resolution="kept")
    before = snapshot(service.root)
    assert service.reopen_ticket(ids[0]) == ticket
    assert snapshot(service.root) == before
    service.close_ticket(ids[0], resolution="done")
    reopened = service.reopen_ticket(ids[0])
    assert (reopened.status, reopened.resolution) == ("open", None)


def test_the_gitignore_ignores_the_spare_files(tmp_path: Any) -> None:
    """And a .gitignore this library wrote before is brought up to date; one of the user's
    own is left alone."""
    service = LocalJsonService(tmp_path / "new")
    assert ".spare" in (service.root / ".gitignore").read_text().splitlines()
    old = tmp_path / "old"
    old.mkdir()
    (old / ".gitignore").write_text("index.sqlite3*\n.lock\n.tmp-*\n")
    LocalJsonService(old)
    assert ".spare" in (old / ".gitignore").read_text().splitlines()
    own = tmp_path / "own"
    own.mkdir()
    (own / ".gitignore").write_text("*\n")
    LocalJsonService(own)
    assert (own / ".gitignore").read_text() == "*\n"
