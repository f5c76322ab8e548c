"""``ticket-bridge demo``: the guide's bug-fix workflow, end to end, on the given service.

User report -> research ticket (critical) -> checkpoints -> the fix delegated as its child
-> progress -> QA -> both closed with resolutions; then a phased feature left in flight so
the workload table has something to show. ``ticket-bridge demo`` runs it in a new
temporary store (``demo_store``), so each run prints the same; ``--store DIR`` runs it in
DIR, where a second run's tickets sit beside the first's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError
from bridge.notify import Notifier
from bridge.render import describe, render_comments, render_table
from bridge.service import TicketingService
from bridge.workflows.helper import TicketingHelper
from bridge.workflows.orchestrator import PMOrchestrator
from bridge.workflows.phased import create_phased_ticket, get_feature_progress
from bridge.workflows.progress import track_agent_progress, update_progress
from bridge.workflows.tree import render_tree
from bridge.workflows.workload import WORKLOAD_HEADERS, team_workload, workload_rows

__all__ = ["DemoResult", "DemoStore", "demo_store", "run_demo"]

REPORT = "Getting ImportError when running claude-pm --version"


@dataclass
class DemoResult:
    """What the demo did: the text it prints and the same as data for ``--json``."""

    text: str
    data: dict[str, Any]


@dataclass
class DemoStore:
    """Where a demo wrote: the store, and a config file naming it (for a temporary one)."""

    store: str
    config: str | None

    def describe(self) -> str:
        """Where the tickets are and how to look at them."""
        if self.config is None:
            return f"The demo's tickets are in {self.store}."
        return (
            f"The demo's tickets are in {self.store}; look at them with\n"
            f"  ticket-bridge --config {self.config} list"
        )


@contextmanager
def demo_store(store: str | None = None) -> Iterator[tuple[TicketingService, DemoStore]]:
    """A local store for the demo: ``store``, else a new temporary directory (kept, with a
    ``ticket-bridge.toml`` beside the store, so that its tickets can be looked at)."""
    from bridge.config import parse_config
    from bridge.factory import build_service

    if store is not None:
        where = DemoStore(str(Path(store).resolve()), None)
    else:
        base = Path(tempfile.mkdtemp(prefix="ticket-bridge-demo-"))
        config = base / "ticket-bridge.toml"
        config.write_text(
            '[bridge]\ntracker = "local"\n\n[trackers.local]\ntype = "local_json"\n'
            'path = ".tickets"\n',
            encoding="utf-8",
        )
        where = DemoStore(str(base / ".tickets"), str(config))
    local = {"type": "local_json", "path": where.store}
    service = build_service(
        parse_config({"bridge": {"tracker": "local"}, "trackers": {"local": local}})
    )
    try:
        yield service, where
    finally:
        service.close()


def _bug_fix(service: TicketingService, helper: TicketingHelper) -> tuple[str, str, str, str]:
    research = helper.create_agent_task_ticket(
        "research",
        f"Investigate: {REPORT}",
        "critical",
        {"error_type": "ImportError", "user_impact": "Complete CLI failure", "reports_count": 5},
    )
    track_agent_progress(research.id, "research", "started", service)
    service.add_comment(research.id, "Root cause: circular import in core.py", "research-agent")
    track_agent_progress(research.id, "research", "completed", service)

    # Critical priority: the orchestrator files the fix ticket itself, under the research.
    delegation = PMOrchestrator(helper=helper).delegate(
        "engineer",
        "Fix ImportError based on research findings",
        [f"Review research findings from ticket {research.id}", "Refactor the import structure"],
        priority="critical",
        parent_id=research.id,
    )
    if delegation.ticket is None:  # the guide's rules file critical delegations
        raise BridgeError("the critical delegation filed no ticket")
    fix = delegation.ticket
    track_agent_progress(fix.id, "engineer", "started", service)
    update_progress(
        fix.id,
        "engineer",
        1,
        {
            "status": "on track",
            "completed_items": ["import graph mapped"],
            "remaining_items": ["refactor core.py"],
            "next_steps": "open PR #123",
        },
        service,
    )
    track_agent_progress(fix.id, "engineer", "completed", service)
    qa = helper.create_agent_task_ticket(
        "qa",
        "Validate the ImportError fix",
        "high",
        {"parent_ticket": research.id, "dependencies": [fix.id]},
    )
    track_agent_progress(qa.id, "qa", "completed", service)

    service.close_ticket(research.id, resolution="Root cause identified: circular import")
    service.close_ticket(fix.id, resolution="Fixed by refactoring import structure in PR #123")
    service.close_ticket(qa.id, resolution="Validated: --version works on 1.4.0")
    return research.id, fix.id, qa.id, delegation.prompt.splitlines()[0].replace("**", "")


def _feature(service: TicketingService, helper: TicketingHelper) -> list[str]:
    research = create_phased_ticket(
        1, "research", "Research rate limiting strategies", ["Comparison"], helper=helper
    )
    design = create_phased_ticket(
        2, "engineer", "Design rate limiting", ["API design"], [research.id], helper=helper
    )
    tests = create_phased_ticket(
        3, "qa", "Test rate limiting under load", ["Load tests"], [design.id], helper=helper
    )
    service.close_ticket(research.id, resolution="Token bucket chosen", status="resolved")
    track_agent_progress(design.id, "engineer", "started", service)
    return [research.id, design.id, tests.id]


def run_demo(service: TicketingService) -> DemoResult:
    """Run the workflow on ``service`` and describe it: tree, comments, progress, workload."""
    helper = TicketingHelper(service, notifier=Notifier())  # a demo announces nothing
    research_id, fix_id, qa_id, first_line = _bug_fix(service, helper)
    phases = _feature(service, helper)
    progress = get_feature_progress(phases, service)

    tree = render_tree(service, service.get_ticket(research_id))
    comments = service.list_comments(fix_id)
    workload, _ = team_workload(helper)
    text = "\n".join(
        [
            f"Bug-fix workflow on the {describe(service)}",
            f"Report: {REPORT}",
            "",
            "Ticket tree:",
            *("  " + line for line in tree),
            "",
            f"Delegation prompt: {first_line}",
            "",
            f"Comments on {fix_id}:",
            render_comments(comments),
            "",
            f"Feature 'API rate limiting': {progress['completed_phases']}/"
            f"{progress['total_phases']} phases done ({progress['progress_percentage']:.0f}%)",
            "",
            "Workload:",
            render_table(WORKLOAD_HEADERS, workload_rows(workload)),
        ]
    )
    data = {
        "tickets": {"research": research_id, "fix": fix_id, "qa": qa_id},
        "feature_phases": phases,
        "feature_progress": progress,
        "tree": tree,
        "comments": [c.model_dump(mode="json") for c in comments],
        "workload": workload,
    }
    return DemoResult(text, data)
