"""TicketingHelper and PMOrchestrator details: titles, links, metadata, prompts, settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bridge.errors import ConfigError, InvalidError, NotFoundError
from bridge.service import TicketingService
from bridge.workflows import (
    PMOrchestrator,
    TicketingHelper,
    WorkflowSettings,
    create_subtasks,
    track_agent_progress,
)
from bridge.workflows._config import load_settings


def test_long_task_title_is_cut_at_a_word_and_kept_whole_in_the_description(
    service: TicketingService,
) -> None:
    """A task longer than a title is cut at a word boundary; the description has all of it."""
    task = " ".join(f"word{i}" for i in range(80))
    ticket = TicketingHelper().create_agent_task_ticket("research", task)
    assert len(ticket.title) <= 255
    assert ticket.title.startswith("[research] word0 word1")
    assert ticket.title.endswith("…")
    assert ticket.title[:-1].split()[-1] in task.split()
    assert service.get_ticket(ticket.id).description == task


def test_owner_label_assignee_and_context_metadata(service: TicketingService) -> None:
    """The agent owns the ticket (assignee and label); the context is stored as metadata,
    made JSON-safe."""
    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    ticket = TicketingHelper().create_agent_task_ticket(
        "qa", "Run the suite", "low", {"opened": when, "tags": ("a", "b"), "count": 2}
    )
    stored = service.get_ticket(ticket.id)
    assert stored.assignee == "qa"
    assert "agent:qa" in stored.labels
    assert stored.metadata["opened"] == str(when)
    assert stored.metadata["tags"] == ["a", "b"]
    assert stored.metadata["count"] == 2
    assert stored.metadata["agent"] == "qa"


def test_agent_label_is_configurable(service: TicketingService) -> None:
    """An empty ``agent_label`` adds no label (for trackers that map assignees to labels)."""
    helper = TicketingHelper(settings=WorkflowSettings(agent_label=""))
    ticket = helper.create_agent_task_ticket("qa", "Run the suite")
    assert not any(label.startswith("agent:") for label in service.get_ticket(ticket.id).labels)
    with pytest.raises(ValueError, match="agent_label"):
        WorkflowSettings(agent_label="agent")


def test_dependencies_by_agent_name_resolve_to_the_latest_open_ticket(
    service: TicketingService,
) -> None:
    """An agent name as a dependency is that agent's newest open ticket under the same
    parent; a finished one under the parent is used when none is open."""
    helper = TicketingHelper()
    epic = helper.create_agent_task_ticket("pm", "Migration", "high", {"type": "epic"})
    other = helper.create_agent_task_ticket("pm", "Other epic", "high", {"type": "epic"})
    old = helper.create_agent_task_ticket("research", "Old study")
    first = helper.create_agent_task_ticket(
        "research", "Study 1", "high", {"parent_ticket": epic.id}
    )
    second = helper.create_agent_task_ticket(
        "research", "Study 2", "high", {"parent_ticket": epic.id}
    )
    helper.create_agent_task_ticket("research", "Elsewhere", "high", {"parent_ticket": other.id})
    engineer = helper.create_agent_task_ticket(
        "engineer", "Build", "high", {"parent_ticket": epic.id, "dependencies": ["research"]}
    )
    assert service.get_ticket(engineer.id).dependencies == [second.id]

    service.close_ticket(first.id, resolution="done")
    service.close_ticket(second.id, resolution="done")
    qa = helper.create_agent_task_ticket(
        "qa", "Check", "high", {"parent_ticket": epic.id, "dependencies": ["research"]}
    )
    assert service.get_ticket(qa.id).dependencies == [second.id]

    top = helper.create_agent_task_ticket("ops", "Deploy", "high", {"dependencies": ["research"]})
    assert service.get_ticket(top.id).dependencies == [old.id]


def test_unresolvable_dependencies_stay_in_metadata(service: TicketingService) -> None:
    """A dependency that is neither a ticket nor an agent with tickets is kept, not fatal."""
    helper = TicketingHelper()
    real = helper.create_agent_task_ticket("research", "Study")
    ticket = helper.create_agent_task_ticket(
        "engineer", "Build", "medium", {"dependencies": [real.id, "nobody", "bad id!"]}
    )
    stored = service.get_ticket(ticket.id)
    assert stored.dependencies == [real.id]
    assert stored.metadata["unresolved_dependencies"] == ["nobody", "bad id!"]
    assert stored.metadata["dependencies"] == [real.id, "nobody", "bad id!"]


def test_context_type_parent_and_bad_input(service: TicketingService) -> None:
    """``type`` maps to the ticket type when it names one; an unknown parent and bad input
    are errors, not silent drops."""
    helper = TicketingHelper()
    bug = helper.create_agent_task_ticket("engineer", "Crash", "high", {"type": "bug"})
    other = helper.create_agent_task_ticket("ops", "Incident", "high", {"type": "incident"})
    assert service.get_ticket(bug.id).type == "bug"
    assert service.get_ticket(other.id).type == "task"
    assert service.get_ticket(other.id).metadata["type"] == "incident"
    with pytest.raises(NotFoundError):
        helper.create_agent_task_ticket("qa", "x", "low", {"parent_ticket": "NOPE-999999"})
    with pytest.raises(InvalidError, match="priority"):
        helper.create_agent_task_ticket("qa", "x", "urgent")
    with pytest.raises(InvalidError, match="agent_name"):
        helper.create_agent_task_ticket(" ", "x")


def test_workload_counts_every_status(service: TicketingService) -> None:
    """Workload counts by status; ``high_priority`` only counts open and in-progress work."""
    helper = TicketingHelper()
    ids = [helper.create_agent_task_ticket("engineer", f"T{i}", "high").id for i in range(5)]
    helper.update_agent_task_status(ids[0], "in_progress", note="on it")
    helper.update_agent_task_status(ids[1], "blocked")
    service.close_ticket(ids[2], status="resolved")
    service.close_ticket(ids[3])
    helper.create_agent_task_ticket("engineer", "Small", "low")
    helper.create_agent_task_ticket("qa", "Not mine", "critical")
    assert helper.get_agent_workload("engineer") == {
        "open": 2,
        "in_progress": 1,
        "blocked": 1,
        "resolved": 1,
        "closed": 1,
        "high_priority": 2,
        "total": 6,
    }
    [note] = service.list_comments(ids[0])
    assert (note.author, note.body) == ("engineer-agent", "on it")


def test_blocked_checkpoint_never_lowers_a_critical_ticket(service: TicketingService) -> None:
    """Escalating a blocked critical ticket keeps it critical; a low one rises to high."""
    helper = TicketingHelper()
    critical = helper.create_agent_task_ticket("ops", "Outage", "critical")
    low = helper.create_agent_task_ticket("docs", "Typo", "low")
    track_agent_progress(critical.id, "ops", "blocked")
    track_agent_progress(low.id, "docs", "blocked")
    assert service.get_ticket(critical.id).priority == "critical"
    assert (service.get_ticket(low.id).status, service.get_ticket(low.id).priority) == (
        "blocked",
        "high",
    )


def test_create_subtasks_links_and_announces_each(service: TicketingService) -> None:
    """Subtasks become children, chained by agent dependencies, each announced on the parent
    by pm-orchestrator."""
    helper = TicketingHelper()
    parent = helper.create_agent_task_ticket("pm", "Coordinate release", "high", {"type": "epic"})
    created = create_subtasks(
        parent,
        [
            {"agent": "engineer", "task": "Cut the branch"},
            {"agent": "qa", "task": "Smoke test", "dependencies": ["engineer"]},
        ],
        helper=helper,
    )
    assert [c.id for c in service.get_children(parent.id)] == [t.id for t in created]
    assert service.get_ticket(created[1].id).dependencies == [created[0].id]
    assert [(c.author, c.body) for c in service.list_comments(parent.id)] == [
        ("pm-orchestrator", f"Created subtask {created[0].id} for engineer agent"),
        ("pm-orchestrator", f"Created subtask {created[1].id} for qa agent"),
    ]


def test_prompt_format_without_a_ticket(service: TicketingService) -> None:
    """The prompt has the agent line, today's date, the task, context and expected results."""
    prompt = PMOrchestrator().generate_agent_prompt(
        "documentation",
        "Update the README",
        requirements=["Explain install"],
        deliverables=["README.md"],
        integration_notes="after the release",
    )
    assert prompt == (
        "**Documentation Agent**: Update the README\n\n"
        f"TEMPORAL CONTEXT: Today is {date.today().isoformat()}. Medium priority.\n\n"
        "**Task**:\n1. Explain install\n\n"
        "**Context**:\n- Priority: medium\n- Integration: after the release\n\n"
        "**Expected Results**:\n- README.md\n"
    )


def test_explicit_plan_and_escalation_triggers_are_stored(service: TicketingService) -> None:
    """A given orchestration plan is stored over the derived one; triggers are in the prompt."""
    plan: dict[str, Any] = {
        "workflow_name": "Security Vulnerability Fix",
        "agents_required": ["security", "engineer", "qa"],
        "success_criteria": ["Vulnerability patched"],
    }
    orchestrator = PMOrchestrator()
    prompt = orchestrator.generate_agent_prompt(
        "security",
        "Assess the token leak",
        escalation_triggers=["data exfiltration"],
        orchestration=plan,
    )
    assert orchestrator.last_ticket is not None
    stored = service.get_ticket(orchestrator.last_ticket.id)
    saved: Any = stored.metadata["orchestration"]
    assert saved["workflow_name"] == "Security Vulnerability Fix"
    assert saved["agents_required"] == ["security", "engineer", "qa"]
    assert saved["phases"] == [{"phase": 1, "agent": "security"}]
    assert stored.metadata["ticket_reasons"] == ["escalation triggers"]
    assert "- Escalate if: data exfiltration" in prompt


def test_explicit_ticket_id_is_used_and_must_exist(service: TicketingService) -> None:
    """``ticket_id`` names the tracking ticket: nothing new is filed; an unknown one raises."""
    ticket = TicketingHelper().create_agent_task_ticket("qa", "Regression pass")
    orchestrator = PMOrchestrator()
    prompt = orchestrator.generate_agent_prompt(
        "qa", "Regression pass", priority="critical", ticket_id=ticket.id
    )
    assert f"- Ticket: {ticket.id}" in prompt
    assert len(list(service.iter_tickets())) == 1
    with pytest.raises(NotFoundError):
        orchestrator.generate_agent_prompt("qa", "x", ticket_id="NOPE-424242")


def test_workflow_settings_merge_sla_hours_and_report_bad_keys() -> None:
    """A partial ``sla_hours`` keeps the other defaults; bad keys name ``workflows.<key>``."""
    settings = load_settings({"sla_hours": {"critical": 2}})
    assert [settings.sla_for(p) for p in ("critical", "high", "medium", "low")] == [
        2,
        24,
        48,
        120,
    ]
    with pytest.raises(ConfigError, match=r"workflows\.max_open"):
        load_settings({"max_open": 0})
    with pytest.raises(ConfigError, match=r"workflows\.sla_hours"):
        load_settings({"sla_hours": {"urgent": 1}})
    with pytest.raises(ConfigError, match=r"workflows\.colour: unknown key"):
        load_settings({"colour": "blue"})
