"""The Jira rows of ``bench/api_calls.py``: requests per operation against the Jira fake."""

from __future__ import annotations

from bench.api_calls import Row, _count
from tests.contract.test_jira import jira_service
from tests.fakes.jira_fake import start_jira_fake


def rows_for(mode: str) -> list[Row]:
    """Requests per operation against the fake in ``cloud`` or ``server`` mode."""
    server, app = start_jira_fake(mode)
    service = jira_service(server.url, mode)
    try:
        parent = service.create_ticket("Parent")
        target = service.create_ticket("Target")
        warm = service.create_ticket("Learns the workflow")  # status moves are learned once
        for status in ("in_progress", "blocked", "in_progress", "open"):
            service.update_ticket(warm.id, status=status)
        service.close_ticket(warm.id, resolution="x")
        service.reopen_ticket(warm.id)
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
            (
                "create",
                _count(
                    server,
                    lambda: service.create_ticket(
                        "New", priority="high", labels=["a"], metadata={"k": 1}
                    ),
                ),
                "priority, labels and metadata in one request",
            ),
            (
                "create as subtask",
                _count(server, lambda: service.create_ticket("Sub", parent_id=parent.id)),
                "",
            ),
            (
                "update status",
                _count(server, lambda: service.update_ticket(target.id, status="in_progress")),
                "read, transition",
            ),
            (
                "update priority",
                _count(server, lambda: service.update_ticket(target.id, priority="critical")),
                "read, PUT",
            ),
            ("comment", _count(server, lambda: service.add_comment(target.id, "progress")), ""),
            (
                "close with resolution",
                _count(server, lambda: service.close_ticket(target.id, resolution="Fixed")),
                "read, transition with resolution",
            ),
            ("reopen", _count(server, lambda: service.reopen_ticket(target.id)), ""),
        ]
        while len(app.issues) < 1000:
            service.create_ticket(f"Bulk {len(app.issues)}")
        rows.append(
            (
                "list 1000 issues",
                _count(server, lambda: list(service.iter_tickets(limit=100))),
                "page size 100",
            )
        )
        rows.append(
            (
                "list, nothing changed",
                _count(server, lambda: list(service.iter_tickets(limit=100))),
                "Jira search has no conditional requests",
            )
        )
        return rows
    finally:
        service.close()
        server.stop()


def jira_rows() -> dict[str, list[Row]]:
    """The rows for Jira Cloud and Jira Server/Data Center."""
    return {"jira cloud": rows_for("cloud"), "jira server": rows_for("server")}


if __name__ == "__main__":
    for tracker, rows in jira_rows().items():
        print(tracker)
        for name, count, note in rows:
            print(f"  {name:<24}{count:>9}  {note}".rstrip())
