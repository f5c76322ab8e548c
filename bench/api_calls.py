"""HTTP requests per operation, as the adapters send them to the loopback fakes.

    python bench/api_calls.py

Each row is one neutral operation; the figure is the number of requests the fake logged.
"list 1000 issues" walks every page; "list, nothing changed" repeats it (on GitHub those are
conditional requests answered 304, which GitHub does not charge to the rate limit).
"""

from __future__ import annotations

import sys
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
