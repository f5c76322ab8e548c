"""Requests and wall time of a two-way sync against the loopback fakes.

    python bench/sync.py [--issues 10000] [--comments 500] [--changes 100]

For each tracker: a full pull of ``--issues`` issues (with ``--comments`` comments and one
parent link in fifty) into an empty local store; a sync with nothing changed; a sync after
``--changes`` issues were edited on the tracker; and a quiet sync again. The fakes are seeded
directly (timestamps spread over the past month, as a real project's are). Requests are
counted in the fake's log; wall time is one run (the request counts are exact, the times
are indicative on a shared machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.github_fake import FakeIssue, GitHubFakeApp
from tests.fakes.jira_fake import FakeJiraIssue, JiraFakeApp
from tests.sync.rig import Rig

START = datetime.now(UTC) - timedelta(days=30)


def _gh_time(i: int) -> str:
    return (START + timedelta(seconds=i * 60)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jira_time(i: int) -> str:
    return (START + timedelta(seconds=i * 60)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def seed_github(app: GitHubFakeApp, issues: int, comments: int) -> None:
    every = max(issues // comments, 1) if comments else 0
    for n in range(1, issues + 1):
        issue = FakeIssue(
            n, 100_000 + n, f"Issue {n}", f"What to do for {n}", ["priority: high"] if n % 4 else []
        )
        issue.created_at = issue.updated_at = _gh_time(n)
        if n % 50 == 2:
            issue.parent = n - 1
            app.issues[n - 1].sub_issues.append(n)
        if every and n % every == 0 and n // every <= comments:
            issue.comments.append(
                {"id": 900_000 + n, "body": f"note {n}", "user": "alice", "created_at": _gh_time(n)}
            )
        app.issues[n] = issue


def seed_jira(app: JiraFakeApp, issues: int, comments: int) -> None:
    every = max(issues // comments, 1) if comments else 0
    for n in range(1, issues + 1):
        fields: dict[str, Any] = {
            "summary": f"Issue {n}",
            "description": f"What to do for {n}",
            "issuetype": "Task",
            "priority": "High" if n % 4 else "Medium",
            "labels": [],
        }
        if n % 50 == 2:
            fields.update(issuetype="Sub-task", parent=f"TB-{n - 1}")
        issue = FakeJiraIssue(10_000 + n, f"TB-{n}", "TB", fields)
        issue.created = issue.updated = _jira_time(n)
        if every and n % every == 0 and n // every <= comments:
            issue.comments.append(
                {
                    "id": str(900_000 + n),
                    "body": f"note {n}",
                    "author": "Alice",
                    "created": _jira_time(n),
                }
            )
        app.issues[issue.key] = issue


def touch(r: Rig, count: int) -> None:
    """Edit ``count`` issues on the tracker, as people do."""
    if isinstance(r.app, GitHubFakeApp):
        for n in range(start := len(r.app.issues) // 2, start + count):
            r.app.issues[n].title += " (edited)"
            r.app._touch(r.app.issues[n])
    else:
        assert isinstance(r.app, JiraFakeApp)
        for n in range(start := len(r.app.issues) // 2, start + count):
            issue = r.app.issues[f"TB-{n}"]
            issue.fields["summary"] += " (edited)"
            r.app._touch(issue)


def measure(r: Rig, label: str, rows: list[list[str]], **options: Any) -> None:
    r.clear()
    began = time.perf_counter()
    report = r.sync(**options)
    wall = time.perf_counter() - began
    log = list(r.server.log)
    not_modified = sum(1 for e in log if e.status == 304)
    writes = len(r.writes())
    rows.append(
        [
            r.tracker,
            label,
            str(len(log)),
            str(not_modified),
            str(writes),
            str(len(report.created_local)),
            str(len(report.updated_local)),
            str(report.comments_pulled),
            f"{wall:.2f}",
        ]
    )


def run(tracker: str, issues: int, comments: int, changes: int) -> list[list[str]]:
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        r = Rig(tracker, Path(tmp))
        try:
            if isinstance(r.app, GitHubFakeApp):
                seed_github(r.app, issues, comments)
            else:
                assert isinstance(r.app, JiraFakeApp)
                seed_jira(r.app, issues, comments)
            measure(r, f"full pull of {issues}", rows)
            measure(r, "nothing changed", rows)
            touch(r, changes)
            measure(r, f"{changes} changed on the tracker", rows)
            measure(r, "nothing changed, again", rows)
        finally:
            r.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()
    head = [
        "tracker",
        "sync",
        "requests",
        "304",
        "writes",
        "created here",
        "updated here",
        "comments",
        "wall s",
    ]
    rows = [head]
    for tracker in ("github", "jira"):
        rows += run(tracker, args.issues, args.comments, args.changes)
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
