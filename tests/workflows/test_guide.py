"""The guide's workflows through the library's own functions (the guide's code pasted as it
stands is in ``test_guide_verbatim.py``), with the effects the guide describes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge import Status
from bridge.service import TicketingService
from bridge.workflows import (
    PMOrchestrator,
    TicketingHelper,
    create_phased_ticket,
    get_feature_progress,
    handle_production_emergency,
    track_agent_progress,
    update_progress,
)
from bridge.workflows.workload import delegate_to_available_agent, get_agent_availability


def test_workflow_1_bug_fix_ticket_from_a_critical_delegation(service: TicketingService) -> None:
    """Workflow 1: a critical delegation files a ticket whose id the prompt carries; the
    engineer's follow-up is filed under it and names it."""
    orchestrator = PMOrchestrator()
    prompt = orchestrator.generate_agent_prompt(
        agent_type="research",
        task_description="Investigate ImportError in claude-pm --version",
        requirements=[
            "Analyze the ImportError stack trace",
            "Identify root cause of import failure",
            "Document findings and proposed fix",
        ],
        deliverables=["Root cause analysis and fix recommendation"],
        priority="critical",
    )
    research = orchestrator.last_ticket
    assert research is not None
    today = datetime.now().date().isoformat()
    assert prompt.splitlines()[0] == (
        "**Research Agent**: Investigate ImportError in claude-pm --version"
    )
    assert f"TEMPORAL CONTEXT: Today is {today}. Critical priority." in prompt
    assert "1. Analyze the ImportError stack trace" in prompt
    assert f"- Ticket: {research.id}" in prompt
    assert "**Expected Results**:\n- Root cause analysis and fix recommendation" in prompt
    stored = service.get_ticket(research.id)
    assert (stored.priority, stored.assignee) == ("critical", "research")
    assert stored.metadata["ticket_reasons"] == [
        "critical priority",
        "3+ requirements or deliverables",
    ]

    fix = orchestrator.delegate(
        "engineer",
        "Fix ImportError based on research findings",
        [f"Review research findings from ticket {research.id}", "Implement the recommended fix"],
        priority="critical",
        parent_id=research.id,
    )
    assert fix.ticket is not None
    assert fix.ticket.id != research.id
    assert service.get_ticket(fix.ticket.id).parent_id == research.id
    assert f"Review research findings from ticket {research.id}" in fix.prompt


def test_workflow_2_feature_ticket_carries_the_orchestration_plan(
    service: TicketingService,
) -> None:
    """Workflow 2: high priority and 4 requirements: a ticket with the plan as metadata."""
    orchestrator = PMOrchestrator()
    orchestrator.generate_agent_prompt(
        agent_type="research",
        task_description="Research real-time collaboration implementation",
        requirements=[
            "WebSocket protocol analysis",
            "Scalability considerations",
            "Security implications",
            "Library recommendations",
        ],
        deliverables=[
            "Technical feasibility report",
            "Architecture design proposal",
            "Implementation roadmap",
            "Risk assessment",
        ],
        priority="high",
        integration_notes="Multi-phase implementation requiring all agents",
    )
    ticket = orchestrator.last_ticket
    assert ticket is not None
    plan: Any = service.get_ticket(ticket.id).metadata["orchestration"]
    assert plan["agents_required"] == ["research", "engineer", "security", "qa"]
    assert plan["workflow"] == "research → implement → secure → test"
    assert [p["phase"] for p in plan["phases"]] == [1, 2, 3, 4]


def test_pattern_2_progress_checkpoints_move_status(service: TicketingService) -> None:
    """Pattern 2: each checkpoint is a comment by <agent>-agent and moves the status."""
    ticket = TicketingHelper().create_agent_task_ticket("engineer", "Implement rate limits")
    track_agent_progress(ticket.id, "engineer", "started")
    assert service.get_ticket(ticket.id).status == Status.IN_PROGRESS
    track_agent_progress(ticket.id, "engineer", "blocked")
    blocked = service.get_ticket(ticket.id)
    assert (blocked.status, blocked.priority) == ("blocked", "high")
    track_agent_progress(ticket.id, "engineer", "testing")
    track_agent_progress(ticket.id, "engineer", "completed")
    assert service.get_ticket(ticket.id).status == Status.RESOLVED
    comments = service.list_comments(ticket.id)
    assert {c.author for c in comments} == {"engineer-agent"}
    assert [c.body for c in comments] == [
        "Agent has started working on the task",
        "Task blocked, escalation required",
        "Running tests and validation",
        "Task completed successfully",
    ]


def test_pattern_3_workload_balancing(service: TicketingService) -> None:
    """Pattern 3: availability by open count; keyword delegation; least-loaded fallback."""
    helper = TicketingHelper()
    for i in range(3):
        helper.create_agent_task_ticket("engineer", f"Fix bug {i}", priority="high")
    started = helper.create_agent_task_ticket("qa", "Verify release")
    helper.update_agent_task_status(started.id, "in_progress")
    workload = get_agent_availability()
    assert workload["engineer"] == {
        "available": False,
        "current_load": 3,
        "high_priority": 3,
        "capacity": 2,
    }
    assert workload["qa"]["current_load"] == 1
    assert workload["qa"]["available"] is True
    assert delegate_to_available_agent("bug", "Fix the crash") == "documentation"
    assert delegate_to_available_agent("qa", "Validate the build") == "qa"
    assert delegate_to_available_agent("docs", "Update the changelog") == "documentation"
    stats = helper.get_agent_workload("engineer")
    assert stats == {
        "open": 3,
        "in_progress": 0,
        "blocked": 0,
        "resolved": 0,
        "closed": 0,
        "high_priority": 3,
        "total": 3,
    }


def test_best_practice_3_structured_progress_update(service: TicketingService) -> None:
    """Best practice 3: the phase update comment in the guide's format."""
    ticket = TicketingHelper().create_agent_task_ticket("engineer", "Implement caching")
    update_progress(
        ticket.id,
        "engineer",
        2,
        {
            "status": "on track",
            "completed_items": ["cache layer"],
            "remaining_items": ["eviction", "metrics"],
            "next_steps": "benchmarks",
        },
    )
    [comment] = service.list_comments(ticket.id)
    assert comment.author == "engineer-agent"
    assert comment.body == (
        "Phase 2 Progress Update:\n- Status: on track\n- Completed: cache layer\n"
        "- Remaining: eviction, metrics\n- Blockers: None\n- Next Steps: benchmarks"
    )


def test_best_practice_4_lifecycle_with_sla(service: TicketingService) -> None:
    """Best practice 4: context kept as metadata; the SLA due time stored by priority."""
    helper = TicketingHelper()
    ticket = helper.create_agent_task_ticket(
        agent_name="engineer",
        task_description="Harden auth",
        priority="high",
        additional_context={"created_by": "pm_orchestrator", "workflow_type": "security"},
    )
    stored = service.get_ticket(ticket.id)
    assert stored.metadata["created_by"] == "pm_orchestrator"
    due = helper.sla_due(stored)
    assert due is not None
    assert abs((due - stored.created_at).total_seconds() - 24 * 3600) < 5


def test_example_2_phases_and_feature_progress(service: TicketingService) -> None:
    """Example 2: phase tickets chained by real dependencies; progress by resolved phases."""
    research = create_phased_ticket(1, "research", "Research rate limiting", ["Comparison"])
    design = create_phased_ticket(2, "engineer", "Design", ["Diagram"], dependencies=[research.id])
    impl = create_phased_ticket(
        3, "engineer", "Implement", ["Middleware"], dependencies=[design.id]
    )
    test = create_phased_ticket(4, "qa", "Load test", ["Results"], dependencies=[impl.id])
    ids = [research.id, design.id, impl.id, test.id]
    assert service.get_ticket(test.id).dependencies == [impl.id]
    assert get_feature_progress(ids)["progress_percentage"] == 0
    service.close_ticket(research.id, resolution="done")
    service.close_ticket(design.id, resolution="done", status="resolved")
    progress = get_feature_progress(ids)
    assert progress == {
        "progress_percentage": 50.0,
        "completed_phases": 2,
        "total_phases": 4,
        "status": "in_progress",
    }
    for ticket_id in ids[2:]:
        service.close_ticket(ticket_id, resolution="done")
    assert get_feature_progress(ids)["status"] == "complete"


def test_example_3_emergency_response(service: TicketingService) -> None:
    """Example 3: a critical emergency, triage children, status updates as comments."""
    emergency, war_room = handle_production_emergency(
        {"summary": "API 500s", "services": ["api", "db"], "impact": "all users"}
    )
    stored = service.get_ticket(emergency.id)
    assert stored.priority == "critical"
    assert stored.metadata["severity"] == "P0"
    assert stored.metadata["affected_services"] == ["api", "db"]
    children = service.get_children(emergency.id)
    assert [c.assignee for c in children] == ["ops", "engineer", "security"]
    assert all(c.priority == "critical" for c in children)
    war_room.update_status("investigating", "db connection pool exhausted")
    war_room.update_status("mitigated", "pool size raised")
    comments = service.list_comments(emergency.id)
    assert [c.author for c in comments] == ["emergency-response"] * 2
    assert comments[0].body == "STATUS UPDATE: investigating\ndb connection pool exhausted"
    summary = war_room.summary()
    assert summary["updates"] == 2
    assert summary["triage"] == {"ops": "open", "engineer": "open", "security": "open"}
    assert war_room["emergency_ticket"] == emergency.id
    assert war_room["status_updates"][1]["status"] == "mitigated"
    war_room.add_resolution_step("raised the pool size")
    closed = war_room.resolve("Pool size raised; errors gone")
    assert (closed.status, closed.resolution) == ("closed", "Pool size raised; errors gone")
    assert {c.status for c in service.get_children(emergency.id)} == {"resolved"}
    assert service.list_comments(emergency.id)[-1].body.startswith("STATUS UPDATE: resolved")
    assert war_room.summary()["resolution_steps"] == ["raised the pool size"]
