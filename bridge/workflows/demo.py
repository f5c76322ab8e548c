"""``ticket-bridge demo``: the guide's bug-fix workflow, end to end, on the given service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.render import render_comments, render_table
from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper
from bridge.workflows.orchestrator import PMOrchestrator
from bridge.workflows.progress import track_agent_progress, update_progress
from bridge.workflows.workload import get_agent_availability

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    text: str
    data: dict[str, Any]


def run_demo(service: TicketingService) -> DemoResult:
    """Report -> research ticket -> fix ticket as its child -> checkpoints -> resolutions."""
    from bridge.notify import Notifier
    from bridge.workflows.commands import render_tree

    helper = TicketingHelper(service, notifier=Notifier())
    report = "Getting ImportError when running claude-pm --version"
    research = helper.create_agent_task_ticket(
        "research",
        f"Investigate: {report}",
        "critical",
        {"error_type": "ImportError", "user_impact": "Complete CLI failure", "reports_count": 5},
    )
    track_agent_progress(research.id, "research", "started", service)
    track_agent_progress(research.id, "research", "analysis_complete", service)
    service.add_comment(research.id, "Root cause: circular import in core.py", "research-agent")
    track_agent_progress(research.id, "research", "completed", service)

    # Critical priority: the orchestrator files the fix ticket itself; it joins the research.
    delegation = PMOrchestrator(helper=helper).delegate(
        "engineer",
        "Fix ImportError based on research findings",
        requirements=[
            f"Review research findings from ticket {research.id}",
            "Refactor the import structure",
            "Update the ticket with details",
        ],
        priority="critical",
    )
    assert delegation.ticket is not None
    fix = service.link_parent(delegation.ticket.id, research.id)
    prompt = delegation.prompt
    track_agent_progress(fix.id, "engineer", "started", service)
    update_progress(
        fix.id,
        "engineer",
        1,
        {
            "status": "in progress",
            "completed_items": ["import graph mapped"],
            "remaining_items": ["refactor core.py", "tests"],
            "next_steps": "open PR #123",
        },
        service,
    )
    track_agent_progress(fix.id, "engineer", "testing", service)
    track_agent_progress(fix.id, "engineer", "completed", service)
    qa = helper.create_agent_task_ticket(
        "qa",
        "Validate the ImportError fix",
        "high",
        {"parent_ticket": research.id, "dependencies": [fix.id]},
    )
    track_agent_progress(qa.id, "qa", "started", service)
    track_agent_progress(qa.id, "qa", "completed", service)

    service.close_ticket(research.id, resolution="Root cause identified: circular import")
    service.close_ticket(fix.id, resolution="Fixed by refactoring import structure in PR #123")
    service.close_ticket(qa.id, resolution="Validated: --version works on 1.4.0")

    tree = render_tree(service, service.get_ticket(research.id))
    comments = service.list_comments(fix.id)
    workload = get_agent_availability(["research", "engineer", "qa"], helper=helper)
    rows = [[a, w["current_load"], w["high_priority"], w["capacity"]] for a, w in workload.items()]
    delegated = prompt.splitlines()[0]
    text = "\n".join(
        [
            f"Bug-fix workflow on {service!r}",
            "",
            "Ticket tree:",
            *("  " + line for line in tree),
            "",
            f"Delegation prompt (first line): {delegated}",
            "",
            f"Comments on {fix.id}:",
            render_comments(comments),
            "",
            "Workload:",
            render_table(("agent", "load", "high", "capacity"), rows),
        ]
    )
    data = {
        "tickets": [research.id, fix.id, qa.id],
        "tree": tree,
        "comments": [c.model_dump(mode="json") for c in comments],
        "workload": workload,
    }
    return DemoResult(text, data)
