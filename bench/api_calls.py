"""HTTP requests per operation, as the adapters send them to the loopback fakes.

    python bench/api_calls.py

Each row is one neutral operation; the figure is the number of requests the fake logged.
"list 1000 issues" walks every page; "list, nothing changed" repeats it (on GitHub those are
conditional requests answered 304, which GitHub does not charge to the rate limit). The
"issue field" rows run with ``priority_field = "Priority"`` and ``use_issue_types = true``:
the organisation's fields and types are each read once per run, and after that a create with
the priority in its field is the one request a create with a label is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._operations import Row, operation_rows
from tests.contract.test_github import github_service
from tests.fakes.github_fake import FakeIssue, start_github_fake


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


def github_field_rows() -> list[Row]:
    """Requests with the priority in the organisation's issue field and issue types checked."""
    server, _ = start_github_fake()
    service = github_service(server.url, priority_field="Priority", use_issue_types=True)
    seen: list[str] = []  # every path the run requested

    def count(action: Callable[[], object]) -> int:
        server.clear_log()
        action()
        seen.extend(e.path for e in server.log)
        return len(server.log)

    try:
        first = count(lambda: service.create_ticket("First", priority="high", type="bug"))
        create = count(lambda: service.create_ticket("New", priority="high", labels=["a"]))
        target = service.create_ticket("Target")
        update = count(lambda: service.update_ticket(target.id, priority="critical"))
        for kind in ("bug", "task", "feature"):
            count(lambda: service.create_ticket("More", priority="low", type="feature"))
            count(partial(service.update_ticket, target.id, type=kind))
        lookups = {k: sum(p.endswith(f"/issue-{k}") for p in seen) for k in ("fields", "types")}
        return [
            ("create, priority as issue field", create, "one request, as with a label"),
            ("update priority, issue field", update, "read, PATCH"),
            ("first create of a run", first, "issue fields + issue types + create"),
            ("issue-field list, per run", lookups["fields"], "over 10 writes: read once"),
            ("issue-type check, per run", lookups["types"], "over 10 writes: read once"),
        ]
    finally:
        service.close()
        server.stop()


def main() -> None:
    from bench._jira_calls import jira_rows

    tables = {"github": github_rows() + github_field_rows(), **jira_rows()}
    for tracker, rows in tables.items():
        print(f"{tracker}: HTTP requests per operation")
        print(f"  {'operation':<32}{'requests':>9}  note")
        for name, count, note in rows:
            print(f"  {name:<32}{count:>9}  {note}".rstrip())
        print()


if __name__ == "__main__":
    main()
