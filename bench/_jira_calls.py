"""The Jira rows of ``bench/api_calls.py``: requests per operation against the Jira fake."""

from __future__ import annotations

from bench._operations import Row, operation_rows
from tests.contract.test_jira import jira_service
from tests.fakes.jira_fake import start_jira_fake

NOTES = {
    "create": "priority, labels and metadata in one request",
    "create as subtask": "the parent too",
    "update status": "read, transition",
    "update priority": "read, PUT",
    "close with resolution": "read, transition with resolution",
    "list 1000 issues": "page size 100",
    "list, nothing changed": "Jira search has no conditional requests",
}


def rows_for(mode: str) -> list[Row]:
    """Requests per operation against the fake in ``cloud`` or ``server`` mode, once the
    workflow is known (a first status change learns it)."""
    server, app = start_jira_fake(mode)
    service = jira_service(server.url, mode)
    warm = service.create_ticket("Learns the workflow")
    for status in ("in_progress", "blocked", "in_progress", "open"):
        service.update_ticket(warm.id, status=status)
    service.close_ticket(warm.id, resolution="x")
    service.reopen_ticket(warm.id)

    def fill() -> None:
        while len(app.issues) < 1000:
            service.create_ticket(f"Bulk {len(app.issues)}")

    try:
        return operation_rows(server, service, fill, NOTES)
    finally:
        service.close()
        server.stop()


def jira_rows() -> dict[str, list[Row]]:
    """The rows for Jira Cloud and Jira Server/Data Center."""
    return {"jira cloud": rows_for("cloud"), "jira server": rows_for("server")}
