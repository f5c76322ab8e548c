"""Labels a person adds on GitHub inside the bridge's namespaces, and labels with commas.

The rule (adapters/github/_labels.py): in a namespace holding two labels, the one a person
added wins; the bridge's own stale one is removed at its next write, with a warning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from adapters.github import GitHubService
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import FakeIssue, GitHubFakeApp


@pytest.fixture
def gh(fake: tuple[FakeServer, GitHubFakeApp]) -> Iterator[GitHubService]:
    service = github_service(fake[0].url, timeout=2)
    yield service
    service.close()


def test_a_priority_a_person_adds_wins_and_the_old_one_goes_at_the_next_write(
    gh: GitHubService, fake, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """``priority: critical`` added on GitHub to an issue the bridge made ``low``: read as
    critical; the next bridge write leaves one priority label and says what it removed."""
    _, app = fake
    ticket = gh.create_ticket("Escalated", priority="low", labels=["mine"])
    issue = app.issues[int(ticket.id)]
    issue.labels.insert(0, "priority: critical")  # by a person, listed first or not
    got = gh.get_ticket(ticket.id)
    assert got.priority.value == "critical"
    assert got.labels == ["mine"]
    with caplog.at_level(logging.WARNING, logger="adapters.github"):
        gh.update_ticket(ticket.id, status="in_progress")
    assert sorted(lb for lb in issue.labels if lb.startswith("priority:")) == ["priority: critical"]
    assert "removing label 'priority: low', which 'priority: critical' beats" in caplog.text
    assert gh.get_ticket(ticket.id).priority.value == "critical"


def test_a_lower_priority_a_person_adds_also_wins(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """The person's label is the newer one whichever way it goes."""
    _, app = fake
    ticket = gh.create_ticket("Calmed", priority="critical")
    app.issues[int(ticket.id)].labels.append("priority: low")
    assert gh.get_ticket(ticket.id).priority.value == "low"


def test_without_a_record_the_most_severe_wins(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """An issue the bridge never wrote, with two priority labels: the most severe."""
    _, app = fake
    app.issues[1] = FakeIssue(
        number=1, id=77, title="Made on GitHub", body="", labels=["priority: low", "priority: high"]
    )
    assert gh.get_ticket("1").priority.value == "high"
    app.issues[1].labels = ["status: in progress", "status: blocked"]
    assert gh.get_ticket("1").status.value == "blocked"


def test_two_agent_labels_keep_the_one_a_person_added(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """An agent label a person adds reassigns the ticket; the old one goes at the next write."""
    _, app = fake
    ticket = gh.create_ticket("Handover", assignee="alpha")
    issue = app.issues[int(ticket.id)]
    issue.labels.append("agent: beta")
    assert gh.get_ticket(ticket.id).assignee == "beta"
    gh.add_comment(ticket.id, "picked up")  # no issue write: nothing is cleaned yet
    assert "agent: alpha" in issue.labels
    gh.update_ticket(ticket.id, priority="high")
    assert [lb for lb in issue.labels if lb.startswith("agent:")] == ["agent: beta"]


def test_a_label_with_a_comma_is_found(gh: GitHubService, fake) -> None:  # type: ignore[no-untyped-def]
    """GitHub splits its ``labels`` filter at commas: such a label is filtered here."""
    server, _ = fake
    wanted = gh.create_ticket("Wanted", labels=["needs: a, b", "ui"])
    gh.create_ticket("Other", labels=["ui"])
    gh.create_ticket("Near miss", labels=["needs: a", " b"])
    server.clear_log()
    found = gh.list_tickets(labels=["needs: a, b", "ui"])
    assert [t.id for t in found] == [wanted.id]
    [listing] = [e for e in server.log if e.path.endswith("/issues")]
    assert listing.query["labels"] == ["ui"]


def test_a_label_with_a_comma_through_the_cli(github_cli) -> None:  # type: ignore[no-untyped-def]
    """``list -l`` with such a label, on a GitHub tracker."""
    code, out, _ = github_cli("create", "Comma", "-l", "needs: a, b")
    assert code == 0
    number = out.strip()
    assert github_cli("create", "Plain", "-l", "needs: a")[0] == 0
    code, out, _ = github_cli("--json", "list", "-l", "needs: a, b")
    assert code == 0
    assert [t["id"] for t in json.loads(out)["tickets"]] == [number]
