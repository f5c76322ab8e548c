"""HTTP requests per operation, as the adapters send them to the loopback fakes.

    python bench/api_calls.py

Each row is one neutral operation; the figure is the number of requests the fake logged.
"list 1000 issues" walks every page; "list, nothing changed" repeats it (on GitHub those are
conditional requests answered 304, which GitHub does not charge to the rate limit).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.service import TicketingService
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import FakeIssue, start_github_fake

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


def github_rows() -> list[Row]:
    """Requests per operation against the GitHub fake."""
    server, app = start_github_fake()
    service = github_service(server.url)

    def fill() -> None:
        while len(app.issues) < 1000:
            number = len(app.issues) + 1
            app.issues[number] = FakeIssue(number, 50_000 + number, f"Bulk {number}", "", [])

    try:
        notes = {
            "create": "priority, labels and metadata in one request",
            "close with resolution": "read, PATCH, resolution comment",
            "update status": "read, PATCH",
            "update priority": "read, PATCH",
        }
        return operation_rows(server, service, fill, notes)
    finally:
        service.close()
        server.stop()


def main() -> None:
    from bench._jira_calls import jira_rows

    tables = {"github": github_rows(), **jira_rows()}
    for tracker, rows in tables.items():
        print(f"{tracker}: HTTP requests per operation")
        print(f"  {'operation':<24}{'requests':>9}  note")
        for name, count, note in rows:
            print(f"  {name:<24}{count:>9}  {note}".rstrip())
        print()


if __name__ == "__main__":
    main()
