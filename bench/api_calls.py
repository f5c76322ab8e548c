"""HTTP requests per operation, as the adapters send them to the loopback fakes.

    python bench/api_calls.py

Each row is one neutral operation; the figure is the number of requests the fake logged.
"list 1000 issues" walks every page; "list, nothing changed" repeats it and counts the
requests answered 304 (conditional requests; GitHub does not charge them to the rate limit).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import FakeIssue, start_github_fake

Row = tuple[str, int, str]


def _count(server: FakeServer, action: Callable[[], Any]) -> int:
    server.clear_log()
    action()
    return len(server.log)


def github_rows() -> list[Row]:
    """Requests per operation against the GitHub fake."""
    server, app = start_github_fake()
    service = github_service(server.url)
    try:
        parent = service.create_ticket("Parent", priority="high")
        target = service.create_ticket("Target")
        rows: list[Row] = [
            ("get", _count(server, lambda: service.get_ticket(target.id)), ""),
            (
                "get with comments",
                _count(
                    server,
                    lambda: (service.get_ticket(target.id), service.list_comments(target.id)),
                ),
                "",
            ),
            ("create", _count(server, lambda: service.create_ticket("New")), ""),
            (
                "create as subtask",
                _count(server, lambda: service.create_ticket("Sub", parent_id=parent.id)),
                "",
            ),
            (
                "update status",
                _count(server, lambda: service.update_ticket(target.id, status="in_progress")),
                "",
            ),
            (
                "update priority",
                _count(server, lambda: service.update_ticket(target.id, priority="critical")),
                "",
            ),
            ("comment", _count(server, lambda: service.add_comment(target.id, "progress")), ""),
            (
                "close with resolution",
                _count(server, lambda: service.close_ticket(target.id, resolution="Fixed")),
                "read, PATCH, resolution comment",
            ),
            ("reopen", _count(server, lambda: service.reopen_ticket(target.id)), ""),
        ]
        while len(app.issues) < 1000:
            number = len(app.issues) + 1
            app.issues[number] = FakeIssue(number, 50_000 + number, f"Bulk {number}", "", [])
        rows.append(
            ("list 1000 issues", _count(server, lambda: list(service.iter_tickets(limit=100))), "")
        )
        server.clear_log()
        list(service.iter_tickets(limit=100))
        not_modified = sum(1 for e in server.log if e.status == 304)
        rows.append(("list, nothing changed", len(server.log), f"{not_modified} answered 304"))
        return rows
    finally:
        service.close()
        server.stop()


def _extra_rows() -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    try:
        from bench._jira_calls import jira_rows
    except ImportError:
        return found
    found.update(jira_rows())
    return found


def main() -> None:
    tables = {"github": github_rows(), **_extra_rows()}
    for tracker, rows in tables.items():
        print(f"{tracker}: HTTP requests per operation")
        print(f"  {'operation':<24}{'requests':>9}  note")
        for name, count, note in rows:
            print(f"  {name:<24}{count:>9}  {note}".rstrip())
        print()


if __name__ == "__main__":
    main()
