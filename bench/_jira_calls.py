"""The Jira rows of ``bench/api_calls.py``: requests per operation against the Jira fake."""

from __future__ import annotations

from collections.abc import Callable

from bench._operations import Row, operation_rows
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeServer
from tests.fakes.jira_fake import start_jira_fake

NOTES = {
    "create": "priority, labels and metadata in one request",
    "create as subtask": "the parent too",
    "update status": "read, transition",
    "update priority": "read, PUT",
    "close with resolution": "read, transition with resolution",
    "list 1000 issues": "page size 100",
    "list, nothing changed": "Jira search has no conditional requests",
    "first create of a run": "the project's types (with its statuses), the type's fields, create",
    "first create of a type": "its create metadata, once per issue type per run",
    "create with field_map": "mapped fields in the same request",
}


def rows_for(mode: str) -> list[Row]:
    """Requests per operation against the fake in ``cloud`` or ``server`` mode, once the
    workflow is known (a first status change learns it)."""
    server, app = start_jira_fake(mode)
    service = jira_service(server.url, mode)
    field_rows = _field_rows(server, mode)
    warm = service.create_ticket("Learns the workflow")
    service.create_ticket("Learns the sub-task's fields", parent_id=warm.id)
    for status in ("in_progress", "blocked", "in_progress", "open"):
        service.update_ticket(warm.id, status=status)
    service.close_ticket(warm.id, resolution="x")
    service.reopen_ticket(warm.id)

    def fill() -> None:
        while len(app.issues) < 1000:
            service.create_ticket(f"Bulk {len(app.issues)}")

    try:
        return operation_rows(server, service, fill, NOTES) + field_rows
    finally:
        service.close()
        server.stop()


def _field_rows(server: FakeServer, mode: str) -> list[Row]:
    """What create metadata costs: a fresh run's first create, another type's, and a create
    with mapped fields once its type is known."""
    fresh = jira_service(server.url, mode, field_map={"estimate_hours": "customfield_10016"})
    try:
        counts = [
            _count(server, lambda: fresh.create_ticket("First")),
            _count(server, lambda: fresh.create_ticket("Bug", type="bug")),
            _count(server, lambda: fresh.create_ticket("Sized", metadata={"estimate_hours": 3})),
        ]
    finally:
        fresh.close()
    names = ["first create of a run", "first create of a type", "create with field_map"]
    return [(n, c, NOTES[n]) for n, c in zip(names, counts, strict=True)]


def _count(server: FakeServer, action: Callable[[], object]) -> int:
    server.clear_log()
    action()
    return len(server.log)


def jira_rows() -> dict[str, list[Row]]:
    """The rows for Jira Cloud and Jira Server/Data Center."""
    return {"jira cloud": rows_for("cloud"), "jira server": rows_for("server")}
