"""The operations every tracker's row of ``bench/api_calls.py`` counts, in one order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.service import TicketingService
from tests.fakes.base import FakeServer

Row = tuple[str, int, str]


def _count(server: FakeServer, action: Callable[[], Any]) -> int:
    server.clear_log()
    action()
    return len(server.log)


def operation_rows(
    server: FakeServer,
    service: TicketingService,
    fill_to_1000: Callable[[], None],
    notes: dict[str, str],
) -> list[Row]:
    """The same operations, in the same order, on any tracker's fake."""
    parent = service.create_ticket("Parent")
    target = service.create_ticket("Target")
    ops: list[tuple[str, Callable[[], Any]]] = [
        ("get", lambda: service.get_ticket(target.id)),
        (
            "get with comments",
            lambda: (service.get_ticket(target.id), service.list_comments(target.id)),
        ),
        (
            "create",
            lambda: service.create_ticket("New", priority="high", labels=["a"], metadata={"k": 1}),
        ),
        ("create as subtask", lambda: service.create_ticket("Sub", parent_id=parent.id)),
        ("update status", lambda: service.update_ticket(target.id, status="in_progress")),
        ("update priority", lambda: service.update_ticket(target.id, priority="critical")),
        ("comment", lambda: service.add_comment(target.id, "progress")),
        ("close with resolution", lambda: service.close_ticket(target.id, resolution="Fixed")),
        ("reopen", lambda: service.reopen_ticket(target.id)),
    ]
    rows = [(name, _count(server, action), notes.get(name, "")) for name, action in ops]
    fill_to_1000()
    rows.append(
        (
            "list 1000 issues",
            _count(server, lambda: list(service.iter_tickets(limit=100))),
            notes.get("list 1000 issues", ""),
        )
    )
    server.clear_log()
    list(service.iter_tickets(limit=100))
    not_modified = sum(1 for e in server.log if e.status == 304)
    note = (
        f"{not_modified} answered 304" if not_modified else notes.get("list, nothing changed", "")
    )
    rows.append(("list, nothing changed", len(server.log), note))
    return rows
