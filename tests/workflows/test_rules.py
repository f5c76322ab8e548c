"""Auto-ticket rules, repeated delegations, ids under load, SLA and the demo command."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import main
from bridge.errors import InvalidError
from bridge.models import Ticket, utcnow
from bridge.notify import Notifier
from bridge.service import TicketingService
from bridge.workflows import (
    AgentDelegationContext,
    PMOrchestrator,
    TicketingHelper,
    WorkflowSettings,
    check_sla,
    overdue_tickets,
    track_agent_progress,
)

SETTINGS = WorkflowSettings()


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (AgentDelegationContext("qa", "Check the login page"), False),
        (AgentDelegationContext("qa", "Check the login page", priority="high"), True),
        (AgentDelegationContext("qa", "Check the login page", priority="critical"), True),
        (AgentDelegationContext("qa", "Check", requirements=["a", "b"]), False),
        (AgentDelegationContext("qa", "Check", requirements=["a", "b", "c"]), True),
        (AgentDelegationContext("qa", "Check", deliverables=["a", "b", "c"]), True),
        (AgentDelegationContext("qa", "Coordinate the release"), True),
        (AgentDelegationContext("qa", "Run a multi-agent review"), True),
        (AgentDelegationContext("qa", "MULTI-AGENT sync"), True),
        (AgentDelegationContext("qa", "coordinates.py cleanup"), False),
        (AgentDelegationContext("qa", "uncoordinated work"), False),
        (AgentDelegationContext("qa", "multi-agents tooling"), False),
        (AgentDelegationContext("qa", "Check", escalation_triggers=["data loss"]), True),
        (AgentDelegationContext("qa", "Check", escalation_triggers=[]), False),
        (AgentDelegationContext("qa", "Coordinate"), True),
        (AgentDelegationContext("qa", "a multi-agent, task"), True),
        (AgentDelegationContext("qa", "see coordinates.py"), False),
        (AgentDelegationContext("qa", "co-ordinate nothing"), False),
    ],
)
def test_auto_ticket_rules(context: AgentDelegationContext, expected: bool) -> None:
    """Each rule alone triggers a ticket; none of them, no ticket; words match whole."""
    assert bool(context.ticket_reasons(SETTINGS)) is expected


def test_threshold_and_words_are_configurable() -> None:
    """The threshold and the coordination words come from the settings."""
    settings = WorkflowSettings(auto_ticket_threshold=2, coordination_words=["sync up"])
    assert AgentDelegationContext("qa", "x", requirements=["a", "b"]).ticket_reasons(settings)
    assert AgentDelegationContext("qa", "Sync up with ops").ticket_reasons(settings)
    assert not AgentDelegationContext("qa", "Coordinate it").ticket_reasons(settings)


def test_no_ticket_when_no_rule_applies(service: TicketingService) -> None:
    """A plain delegation returns a prompt and files nothing."""
    orchestrator = PMOrchestrator()
    prompt = orchestrator.generate_agent_prompt("qa", "Check the login page")
    assert orchestrator.last_ticket is None
    assert "Ticket:" not in prompt
    assert list(service.iter_tickets()) == []


def test_identical_delegation_reuses_its_open_ticket(service: TicketingService) -> None:
    """Repeating a delegation while its ticket is open returns it; once closed, a new one.
    Each is found by its fingerprint label and by a per-generation idempotency key."""
    orchestrator = PMOrchestrator()
    args = ("engineer", "Coordinate the schema change", ["a"], ["b"], "high")
    first = orchestrator.delegate(*args).ticket
    second = orchestrator.delegate(*args).ticket
    assert first is not None
    assert second is not None
    assert first.id == second.id
    assert orchestrator.last_ticket is not None
    assert orchestrator.last_ticket.id == first.id
    other = orchestrator.delegate("engineer", "Another task", priority="high").ticket
    assert other is not None
    assert other.id != first.id
    fingerprint = AgentDelegationContext(
        "engineer", "Coordinate the schema change", ["a"], ["b"], "high"
    ).fingerprint()
    stored = service.get_ticket(first.id)
    assert stored.metadata["delegation"] == fingerprint
    assert f"delegation:{fingerprint}" in stored.labels
    found = service.find_by_idempotency_key(f"delegation-{fingerprint}-1")
    assert found is not None
    assert found.id == first.id
    service.close_ticket(first.id, resolution="done")
    third = orchestrator.delegate(*args).ticket
    assert third is not None
    assert third.id != first.id
    found = service.find_by_idempotency_key(f"delegation-{fingerprint}-2")
    assert found is not None
    assert found.id == third.id
    assert orchestrator.delegate(*args).ticket.id == third.id  # type: ignore[union-attr]


def test_200_helper_tickets_in_a_second_get_distinct_ids(service: TicketingService) -> None:
    """200 tickets created by the helper in a burst have 200 distinct ids."""
    helper = TicketingHelper()
    ids = {helper.create_agent_task_ticket("qa", f"Case {i}").id for i in range(200)}
    assert len(ids) == 200


def test_unknown_checkpoint_is_refused(service: TicketingService) -> None:
    """A checkpoint outside the guide's list is an error naming the allowed ones."""
    ticket = TicketingHelper().create_agent_task_ticket("qa", "x")
    with pytest.raises(InvalidError, match="analysis_complete"):
        track_agent_progress(ticket.id, "qa", "halfway")
    assert service.list_comments(ticket.id) == []


class _Recorder(Notifier):
    def __init__(self) -> None:
        super().__init__()
        self.breaches: list[str] = []

    @property
    def enabled(self) -> bool:
        return True

    def sla_breach(self, ticket: Ticket, due_at: str) -> None:
        self.breaches.append(ticket.id)

    def ticket_created(self, ticket: Ticket) -> None:
        return None


def test_sla_overdue_and_breach_notified_once(service: TicketingService) -> None:
    """Overdue open tickets are found by their stored due time; each breach is sent once."""
    recorder = _Recorder()
    helper = TicketingHelper(service, notifier=recorder)
    critical = helper.create_agent_task_ticket("ops", "Outage", priority="critical")
    low = helper.create_agent_task_ticket("docs", "Typo", priority="low")
    done = helper.create_agent_task_ticket("ops", "Old outage", priority="critical")
    service.close_ticket(done.id, resolution="fixed")
    later = utcnow() + timedelta(hours=5)
    assert [o.ticket.id for o in overdue_tickets(service, now=later)] == [critical.id]
    assert [o.ticket.id for o in overdue_tickets(service, now=utcnow() + timedelta(days=6))] == [
        critical.id,
        low.id,
    ]
    check_sla(helper, now=later)
    check_sla(helper, now=later)
    assert recorder.breaches == [critical.id]
    sla: Any = service.get_ticket(critical.id).metadata["sla"]
    assert sla["breach_notified_at"]


def test_demo_runs_twice_and_prints_tree_comments_workload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ticket-bridge demo`` exits 0 twice on the same store and shows what it did."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    for _ in range(2):
        assert main(["demo", "--store", ".tickets"]) == 0
        out = capsys.readouterr().out
        assert "Ticket tree:" in out
        assert "resolution: Fixed by refactoring import structure in PR #123" in out
        assert "engineer-agent:" in out
        assert "Workload:" in out
    assert main(["tree", out.split("Ticket tree:\n")[1].split()[0]]) == 0
    assert "[closed, critical]" in capsys.readouterr().out
    assert main(["workload", "engineer"]) == 0
    assert "engineer" in capsys.readouterr().out
    assert main(["sla"]) == 0  # the demo closes what it files: nothing is late


def test_progress_command_reports_feature_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ticket-bridge progress`` shows the share of phase tickets done."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    ids = []
    for title in ("one", "two", "three", "four"):
        assert main(["create", title]) == 0
        ids.append(capsys.readouterr().out.strip())
    assert main(["close", ids[0], "-r", "done"]) == 0
    capsys.readouterr()
    assert main(["progress", *ids]) == 0
    assert "1/4 phases done (25%), in progress" in capsys.readouterr().out
    assert main(["--json", "progress", *ids]) == 0
    assert '"progress_percentage": 25.0' in capsys.readouterr().out
