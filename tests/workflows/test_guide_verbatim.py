# mypy: ignore-errors
# (the guide's code is untyped, and stays as the guide writes it)
"""The guide's code, pasted as the guide writes it (only imports changed), on each tracker.

Each test binds the names the guide assumes (``helper``, ``ticketing``, ...), runs the
guide's snippet unchanged, then checks the effects the guide describes. Workflow 1 has no
calls of its own (prompt text only); its rule is checked in ``test_guide.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge import get_ticketing_service
from bridge.service import TicketingService
from bridge.workflows import PMOrchestrator, TicketingHelper, create_phased_ticket
from bridge.workflows import delegate_to_available_agent as bridge_delegate


def test_workflow_2_feature_implementation(service: TicketingService) -> None:
    """Workflow 2: the high-priority research delegation files a ticket with its plan."""
    orchestrator = PMOrchestrator()

    # --- guide ---
    feature_workflow = orchestrator.generate_agent_prompt(
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
        priority="high",  # Triggers ticket creation
        integration_notes="Multi-phase implementation requiring all agents",
    )
    # --- end ---

    [ticket] = service.iter_tickets()
    assert f"Ticket: {ticket.id}" in feature_workflow
    assert (ticket.priority, ticket.assignee) == ("high", "research")
    plan = ticket.metadata["orchestration"]
    assert isinstance(plan, dict)
    assert plan["agents_required"] == ["research", "engineer", "security", "qa"]
    assert ticket.metadata["deliverables"] == [
        "Technical feasibility report",
        "Architecture design proposal",
        "Implementation roadmap",
        "Risk assessment",
    ]


def test_workflow_3_multi_agent_coordination(service: TicketingService) -> None:
    """Workflow 3: an epic, four children depending on each other by agent, four comments."""
    ticketing_helper = TicketingHelper()
    ticketing = get_ticketing_service()

    # --- guide ---
    def orchestrate_database_migration():
        # Parent ticket for overall coordination
        parent_ticket = ticketing_helper.create_agent_task_ticket(
            agent_name="pm",
            task_description="Coordinate PostgreSQL to MongoDB migration",
            priority="high",
            additional_context={"type": "epic", "estimated_days": 5, "business_impact": "high"},
        )

        # Create subtasks for each agent
        subtasks = [
            {
                "agent": "research",
                "task": "Analyze data models and migration patterns",
                "dependencies": [],
            },
            {
                "agent": "engineer",
                "task": "Implement migration scripts",
                "dependencies": ["research"],
            },
            {"agent": "qa", "task": "Create migration test suite", "dependencies": ["engineer"]},
            {"agent": "ops", "task": "Execute zero-downtime deployment", "dependencies": ["qa"]},
        ]

        for subtask in subtasks:
            ticket = ticketing_helper.create_agent_task_ticket(
                agent_name=subtask["agent"],
                task_description=subtask["task"],
                priority="high",
                additional_context={
                    "parent_ticket": parent_ticket.id,
                    "dependencies": subtask["dependencies"],
                    "phase": subtasks.index(subtask) + 1,
                },
            )

            # Link to parent
            ticketing.add_comment(
                parent_ticket.id,
                f"Created subtask {ticket.id} for {subtask['agent']} agent",
                author="pm-orchestrator",
            )

    # --- end ---

    orchestrate_database_migration()
    [epic] = service.iter_tickets(type="epic")
    assert (epic.assignee, epic.priority, epic.metadata["estimated_days"]) == ("pm", "high", 5)
    children = {c.assignee: c for c in service.get_children(epic.id)}
    assert list(children) == ["research", "engineer", "qa", "ops"]
    assert children["research"].dependencies == []
    assert children["engineer"].dependencies == [children["research"].id]
    assert children["qa"].dependencies == [children["engineer"].id]
    assert children["ops"].dependencies == [children["qa"].id]
    assert [c.metadata["phase"] for c in children.values()] == [1, 2, 3, 4]
    comments = service.list_comments(epic.id)
    assert [(c.author, c.body) for c in comments] == [
        ("pm-orchestrator", f"Created subtask {t.id} for {agent} agent")
        for agent, t in children.items()
    ]


def test_pattern_1_ticket_driven_delegation(service: TicketingService) -> None:
    """Pattern 1: the ticket comes first and the prompt names it; no second ticket is filed,
    even at a priority that would file one."""

    # --- guide ---
    class TicketDrivenOrchestrator:
        def __init__(self):
            self.helper = TicketingHelper()
            self.orchestrator = PMOrchestrator()

        def delegate_with_ticket(self, agent_type, task, priority="medium"):
            # Create ticket first
            ticket = self.helper.create_agent_task_ticket(
                agent_name=agent_type, task_description=task, priority=priority
            )

            # Generate prompt with ticket context
            prompt = self.orchestrator.generate_agent_prompt(
                agent_type=agent_type,
                task_description=f"{task} (Ticket: {ticket.id})",
                requirements=[f"Update ticket {ticket.id} with progress"],
                priority=priority,
            )

            # Delegate to agent
            return prompt, ticket.id

    # --- end ---

    pm = TicketDrivenOrchestrator()
    prompt, ticket_id = pm.delegate_with_ticket("qa", "Test login flow")
    urgent_prompt, urgent_id = pm.delegate_with_ticket("engineer", "Fix login", priority="high")
    assert prompt.startswith(f"**Qa Agent**: Test login flow (Ticket: {ticket_id})")
    assert f"Ticket: {urgent_id}" in urgent_prompt
    assert pm.orchestrator.last_ticket is not None
    assert pm.orchestrator.last_ticket.id == urgent_id
    assert [(t.id, t.assignee) for t in service.iter_tickets()] == [
        (ticket_id, "qa"),
        (urgent_id, "engineer"),
    ]


def test_pattern_2_progress_tracking(service: TicketingService) -> None:
    """Pattern 2: the guide's own function, on our service: comments and status moves."""
    ticketing = get_ticketing_service()
    ticket_id = TicketingHelper().create_agent_task_ticket("engineer", "Add caching").id

    # --- guide ---
    def track_agent_progress(ticket_id, agent_name, checkpoint):
        """Update ticket as agent progresses through task"""

        checkpoints = {
            "started": "Agent has started working on the task",
            "analysis_complete": "Initial analysis completed",
            "implementation_started": "Beginning implementation phase",
            "testing": "Running tests and validation",
            "completed": "Task completed successfully",
            "blocked": "Task blocked, escalation required",
        }

        # Update ticket with progress
        if checkpoint in checkpoints:
            ticketing.add_comment(ticket_id, checkpoints[checkpoint], author=f"{agent_name}-agent")

            # Update status based on checkpoint
            if checkpoint == "started":
                ticketing.update_ticket(ticket_id, status="in_progress")
            elif checkpoint == "completed":
                ticketing.update_ticket(ticket_id, status="resolved")
            elif checkpoint == "blocked":
                ticketing.update_ticket(ticket_id, status="blocked", priority="high")

    # --- end ---

    track_agent_progress(ticket_id, "engineer", "started")
    assert service.get_ticket(ticket_id).status == "in_progress"
    track_agent_progress(ticket_id, "engineer", "blocked")
    assert (service.get_ticket(ticket_id).status, service.get_ticket(ticket_id).priority) == (
        "blocked",
        "high",
    )
    track_agent_progress(ticket_id, "engineer", "completed")
    assert service.get_ticket(ticket_id).status == "resolved"
    assert [c.author for c in service.list_comments(ticket_id)] == ["engineer-agent"] * 3


def test_pattern_3_workload_balancing(service: TicketingService) -> None:
    """Pattern 3: the guide's availability and delegation on our helper's workload numbers."""

    # --- guide ---
    def get_agent_availability():
        """Check agent workload before delegation"""
        helper = TicketingHelper()

        agents = ["documentation", "engineer", "qa", "research"]
        workload = {}

        for agent in agents:
            stats = helper.get_agent_workload(agent)
            workload[agent] = {
                "available": stats["open"] < 3,  # Max 3 open tickets
                "current_load": stats["open"] + stats["in_progress"],
                "high_priority": stats["high_priority"],
                "capacity": 5 - (stats["open"] + stats["in_progress"]),
            }

        return workload

    # Use in delegation decision
    def delegate_to_available_agent(task_type, task_description):
        workload = get_agent_availability()

        # Find agent with capacity
        suitable_agents = {
            "documentation": ["docs", "changelog", "readme"],
            "engineer": ["implement", "fix", "refactor"],
            "qa": ["test", "validate", "verify"],
            "research": ["investigate", "analyze", "explore"],
        }

        for agent, keywords in suitable_agents.items():
            if any(kw in task_description.lower() for kw in keywords):  # noqa: SIM102
                if workload[agent]["available"]:
                    return agent

        # Fallback to least loaded agent
        return min(workload.items(), key=lambda x: x[1]["current_load"])[0]

    # --- end ---

    helper = TicketingHelper()
    for i in range(3):
        helper.create_agent_task_ticket("engineer", f"Fix bug {i}", priority="high")
    docs = helper.create_agent_task_ticket("documentation", "Write the changelog")
    helper.update_agent_task_status(docs.id, "in_progress")
    workload = get_agent_availability()
    assert workload["engineer"] == {
        "available": False,
        "current_load": 3,
        "high_priority": 3,
        "capacity": 2,
    }
    assert workload["documentation"]["current_load"] == 1
    assert delegate_to_available_agent("bug", "Fix the crash") == "qa"
    assert delegate_to_available_agent("qa", "Verify the build") == "qa"
    for task in ("Fix the crash", "Verify the build", "Explore options"):
        assert bridge_delegate("", task) == delegate_to_available_agent("", task)


def test_best_practice_3_meaningful_progress_updates(service: TicketingService) -> None:
    """Best practice 3: the guide's structured update lands as one comment by the agent."""
    ticketing = get_ticketing_service()
    ticket_id = TicketingHelper().create_agent_task_ticket("engineer", "Add caching").id

    # --- guide ---
    def update_progress(ticket_id, agent, phase, details):
        update = f"""
Phase {phase} Progress Update:
- Status: {details["status"]}
- Completed: {details["completed_items"]}
- Remaining: {details["remaining_items"]}
- Blockers: {details.get("blockers", "None")}
- Next Steps: {details["next_steps"]}
    """

        ticketing.add_comment(ticket_id, update.strip(), author=f"{agent}-agent")

    # --- end ---

    update_progress(
        ticket_id,
        "engineer",
        1,
        {
            "status": "on track",
            "completed_items": 2,
            "remaining_items": 1,
            "next_steps": "benchmarks",
        },
    )
    [comment] = service.list_comments(ticket_id)
    assert comment.author == "engineer-agent"
    assert comment.body.splitlines()[0] == "Phase 1 Progress Update:"
    assert "- Blockers: None" in comment.body


def test_best_practice_4_ticket_lifecycle_management(service: TicketingService) -> None:
    """Best practice 4: the guide's manager (its three undefined hooks filled in) files an
    owned ticket whose context and SLA are stored."""

    # --- guide ---
    class TicketLifecycleManager:
        def __init__(self):
            self.ticketing = get_ticketing_service()
            self.helper = TicketingHelper()

        def create_and_track(self, task_type, description, priority="medium"):
            """Create ticket and set up tracking"""
            # Create with full context
            ticket = self.helper.create_agent_task_ticket(
                agent_name=self._get_primary_agent(task_type),
                task_description=description,
                priority=priority,
                additional_context={
                    "created_by": "pm_orchestrator",
                    "workflow_type": task_type,
                    "sla_hours": self._get_sla(priority),
                    "created_at": datetime.now().isoformat(),
                },
            )

            # Set up monitoring
            self._schedule_sla_check(ticket.id)
            self._notify_stakeholders(ticket.id)

            return ticket

        def _get_sla(self, priority):
            """Get SLA hours by priority"""
            sla_map = {"critical": 4, "high": 24, "medium": 48, "low": 120}
            return sla_map.get(priority, 48)

    # --- end ---

    scheduled: list[str] = []

    class Manager(TicketLifecycleManager):
        def _get_primary_agent(self, task_type: str) -> str:
            return bridge_delegate(task_type, task_type)

        def _schedule_sla_check(self, ticket_id: str) -> None:
            scheduled.append(ticket_id)

        def _notify_stakeholders(self, ticket_id: str) -> None:
            return None

    ticket = Manager().create_and_track("fix", "Patch the auth bypass", priority="critical")
    stored = service.get_ticket(ticket.id)
    assert (stored.assignee, stored.priority) == ("engineer", "critical")
    assert stored.metadata["sla_hours"] == 4
    sla: Any = stored.metadata["sla"]
    assert sla["hours"] == 4
    assert scheduled == [ticket.id]


def test_example_1_complete_bug_fix_workflow(service: TicketingService) -> None:
    """Example 1: investigation, the fix as its child, both closed with their resolutions."""
    helper = TicketingHelper()
    ticketing = get_ticketing_service()

    # --- guide ---
    # 1. User reports bug
    user_report = "Getting ImportError when running claude-pm --version"

    # 2. PM creates investigation ticket
    investigation_ticket = helper.create_agent_task_ticket(
        agent_name="research",
        task_description=f"Investigate: {user_report}",
        priority="critical",
        additional_context={
            "error_type": "ImportError",
            "user_impact": "Complete CLI failure",
            "reports_count": 5,
        },
    )

    # 3. Research agent investigates
    research_prompt = f"""
**Research Agent**: Investigate ImportError in ticket {investigation_ticket.id}

TEMPORAL CONTEXT: Today is 2025-07-21. Critical production issue.
"""

    # 4. After research completes, create fix ticket
    fix_ticket = helper.create_agent_task_ticket(
        agent_name="engineer",
        task_description="Fix ImportError based on research findings",
        priority="critical",
        additional_context={
            "parent_ticket": investigation_ticket.id,
            "root_cause": "circular import in core.py",
            "proposed_fix": "refactor import structure",
        },
    )

    # 5. Engineer implements fix
    # 6. QA validates fix
    # 7. PM closes tickets

    ticketing.close_ticket(
        investigation_ticket.id, resolution="Root cause identified: circular import"
    )

    ticketing.close_ticket(
        fix_ticket.id, resolution="Fixed by refactoring import structure in PR #123"
    )
    # --- end ---

    assert investigation_ticket.id in research_prompt
    investigation = service.get_ticket(investigation_ticket.id)
    assert (investigation.priority, investigation.assignee) == ("critical", "research")
    assert investigation.title == f"[research] Investigate: {user_report}"
    assert (investigation.status, investigation.resolution) == (
        "closed",
        "Root cause identified: circular import",
    )
    fix = service.get_ticket(fix_ticket.id)
    assert fix.parent_id == investigation.id
    assert fix.resolution == "Fixed by refactoring import structure in PR #123"
    assert [t.id for t in service.get_children(investigation.id)] == [fix.id]


def test_example_2_feature_development_with_phases(service: TicketingService) -> None:
    """Example 2: four phases chained by dependencies; the guide's progress function agrees
    with ours at every step."""
    ticketing = get_ticketing_service()
    from bridge.workflows import get_feature_progress as bridge_progress

    # --- guide ---
    # Phase 1: Research
    research_ticket = create_phased_ticket(
        phase=1,
        agent="research",
        task="Research rate limiting strategies and libraries",
        deliverables=[
            "Comparison of rate limiting algorithms",
            "Library recommendations",
            "Performance impact analysis",
        ],
    )

    # Phase 2: Design
    design_ticket = create_phased_ticket(
        phase=2,
        agent="engineer",
        task="Design rate limiting architecture",
        dependencies=[research_ticket.id],
        deliverables=["Architecture diagram", "API design document", "Configuration schema"],
    )

    # Phase 3: Implementation
    impl_ticket = create_phased_ticket(
        phase=3,
        agent="engineer",
        task="Implement rate limiting system",
        dependencies=[design_ticket.id],
        deliverables=["Rate limiting middleware", "Configuration system", "Admin interface"],
    )

    # Phase 4: Testing
    test_ticket = create_phased_ticket(
        phase=4,
        agent="qa",
        task="Test rate limiting under load",
        dependencies=[impl_ticket.id],
        deliverables=["Load test results", "Edge case validation", "Performance benchmarks"],
    )

    # Track overall progress
    def get_feature_progress(ticket_ids):
        total = len(ticket_ids)
        completed = 0

        for ticket_id in ticket_ids:
            ticket = ticketing.get_ticket(ticket_id)
            if ticket and ticket.status in ["resolved", "closed"]:
                completed += 1

        return {
            "progress_percentage": (completed / total) * 100,
            "completed_phases": completed,
            "total_phases": total,
            "status": "complete" if completed == total else "in_progress",
        }

    # --- end ---

    ids = [research_ticket.id, design_ticket.id, impl_ticket.id, test_ticket.id]
    assert service.get_ticket(design_ticket.id).dependencies == [research_ticket.id]
    assert service.get_ticket(impl_ticket.id).dependencies == [design_ticket.id]
    assert service.get_ticket(test_ticket.id).dependencies == [impl_ticket.id]
    assert service.get_ticket(test_ticket.id).metadata["deliverables"] == [
        "Load test results",
        "Edge case validation",
        "Performance benchmarks",
    ]
    expected = [0.0, 25.0, 50.0, 75.0, 100.0]
    for done, percentage in enumerate(expected):
        if done:
            ticketing.close_ticket(ids[done - 1], resolution="done", status="resolved")
        assert get_feature_progress(ids) == bridge_progress(ids)
        assert get_feature_progress(ids)["progress_percentage"] == percentage
    assert bridge_progress(ids)["status"] == "complete"


def test_example_3_emergency_response_workflow(service: TicketingService) -> None:
    """Example 3: the guide's own emergency function; triage tickets become real children."""
    helper = TicketingHelper()
    ticketing = get_ticketing_service()

    # --- guide ---
    def handle_production_emergency(error_details):
        # 1. Create emergency ticket
        emergency = helper.create_agent_task_ticket(
            agent_name="ops",
            task_description=f"EMERGENCY: {error_details['summary']}",
            priority="critical",
            additional_context={
                "type": "production_emergency",
                "severity": "P0",
                "affected_services": error_details["services"],
                "user_impact": error_details["impact"],
                "started_at": datetime.now().isoformat(),
            },
        )

        # 2. Immediate triage
        triage_agents = ["ops", "engineer", "security"]
        for agent in triage_agents:
            subtask = helper.create_agent_task_ticket(  # noqa: F841 - the guide's own code
                agent_name=agent,
                task_description=f"Emergency triage for {emergency.id}",
                priority="critical",
                additional_context={"parent_emergency": emergency.id, "response_sla_minutes": 15},
            )

        # 3. Create war room
        war_room = {
            "emergency_ticket": emergency.id,
            "participants": triage_agents,
            "status_updates": [],
            "resolution_steps": [],
        }

        # 4. Track resolution
        def update_emergency_status(status, details):
            ticketing.add_comment(
                emergency.id, f"STATUS UPDATE: {status}\n{details}", author="emergency-response"
            )
            war_room["status_updates"].append(
                {"time": datetime.now().isoformat(), "status": status, "details": details}
            )

        return emergency, war_room

    # --- end ---

    emergency, war_room = handle_production_emergency(
        {"summary": "Checkout returns 500", "services": ["checkout"], "impact": "no sales"}
    )
    stored = service.get_ticket(emergency.id)
    assert (stored.priority, stored.assignee) == ("critical", "ops")
    assert stored.metadata["type"] == "production_emergency"
    assert stored.metadata["affected_services"] == ["checkout"]
    children = service.get_children(emergency.id)
    assert [c.assignee for c in children] == war_room["participants"]
    assert all(c.priority == "critical" for c in children)
    assert all(c.metadata["response_sla_minutes"] == 15 for c in children)
