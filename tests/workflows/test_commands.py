"""The PM commands' handlers, called as the CLI calls them: ``handler(args, service)``."""

from __future__ import annotations

import argparse
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.models import utcnow
from bridge.service import TicketingService
from bridge.workflows import TicketingHelper
from bridge.workflows.commands import cmd_demo, register


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def _run(service: TicketingService, *argv: str) -> int:
    args = _parse(*argv)
    code: int = args.handler(args, service)
    return code


def test_demo_handler_twice_on_one_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo exits 0 twice on the same store (--store) and prints tree, comments and
    workload; the second run's tickets sit beside the first's."""
    store = tmp_path / ".tickets"
    for run in (1, 2):
        args = argparse.Namespace(json=False, store=str(store))
        assert cmd_demo(args) == 0
        out = capsys.readouterr().out
        assert "Ticket tree:" in out
        assert "resolution: Fixed by refactoring import structure in PR #123" in out
        assert "blocked by:" in out
        assert "engineer-agent:" in out
        assert "Phase 1 Progress Update:" in out
        assert "1/3 phases done (33%)" in out
        assert "Workload:" in out
        assert re.search(rf"^engineer +0 +{run} +0 +{run} ", out, re.MULTILINE), out
        assert f"The demo's tickets are in {store}" in out
        assert len(out.splitlines()) < 60
    assert cmd_demo(argparse.Namespace(json=True, store=str(store))) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["store"] == str(store)
    with LocalJsonService(store) as service:
        fix = service.get_ticket(data["tickets"]["fix"])
    assert fix.parent_id == data["tickets"]["research"]
    assert fix.status == "closed"
    assert data["feature_progress"]["completed_phases"] == 1


def test_tree_shows_subtasks_recursively_and_dependencies(
    ticket_service: TicketingService, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tree ID`` indents subtasks under their parent, with their blocked-by links."""
    helper = TicketingHelper(ticket_service)
    epic = helper.create_agent_task_ticket("pm", "Release", "high", {"type": "epic"})
    build = helper.create_agent_task_ticket("engineer", "Build", "high", {"parent_ticket": epic.id})
    check = helper.create_agent_task_ticket(
        "qa", "Check", "high", {"parent_ticket": build.id, "dependencies": [build.id]}
    )
    assert _run(ticket_service, "tree", epic.id) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{epic.id} [open, high] @pm [pm] Release")
    assert lines[1].startswith(f"    {build.id} [open, high] @engineer")
    assert lines[2].startswith(f"        {check.id} [open, high] @qa")
    assert lines[3] == f"            blocked by: {build.id}"
    assert _run(ticket_service, "--json", "tree", epic.id) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["children"][0]["children"][0]["dependencies"] == [build.id]


def test_workload_table_and_json(
    ticket_service: TicketingService, capsys: pytest.CaptureFixture[str]
) -> None:
    """``workload [AGENT]`` shows counts, load and capacity; ``--json`` the same as data."""
    helper = TicketingHelper(ticket_service)
    for i in range(3):
        helper.create_agent_task_ticket("engineer", f"Fix {i}", "high")
    assert _run(ticket_service, "workload") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "AGENT", "OPEN", "IN", "PROGRESS", "BLOCKED", "DONE", "HIGH+", "LOAD", "LIMIT", "FREE",
        "AVAILABLE",
    ]  # fmt: skip
    assert re.search(r"^engineer +3 +0 +0 +0 +3 +3 +5 +2 +no$", out, re.MULTILINE), out
    assert _run(ticket_service, "--json", "workload", "engineer") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["agents"]) == ["engineer"]
    assert data["agents"]["engineer"]["available"] is False
    assert data["agents"]["engineer"]["open"] == 3
    assert data["agents"]["engineer"]["free"] == 2


def test_sla_lists_overdue_and_notify_records_breaches(
    ticket_service: TicketingService, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sla`` lists tickets past due; ``sla --notify`` records each breach once."""
    assert _run(ticket_service, "sla") == 0
    assert capsys.readouterr().out.strip() == "no overdue tickets"
    helper = TicketingHelper(ticket_service)
    ticket = helper.create_agent_task_ticket("ops", "Outage", "critical")
    past = (utcnow() - timedelta(hours=1)).isoformat()
    ticket_service.update_ticket(ticket.id, metadata={"sla": {"hours": 4, "due_at": past}})
    assert _run(ticket_service, "--json", "sla") == 3  # breaches found
    [row] = json.loads(capsys.readouterr().out)
    assert row["id"] == ticket.id
    assert row["hours_late"] >= 1
    assert _run(ticket_service, "sla", "--notify") == 3
    assert ticket.id in capsys.readouterr().out
    sla = ticket_service.get_ticket(ticket.id).metadata["sla"]
    assert isinstance(sla, dict)
    assert sla["breach_notified_at"]


def test_progress_handler(
    ticket_service: TicketingService, capsys: pytest.CaptureFixture[str]
) -> None:
    """``progress ID...`` reports resolved or closed phases out of all."""
    helper = TicketingHelper(ticket_service)
    ids = [helper.create_agent_task_ticket("qa", f"Phase {i}").id for i in range(4)]
    ticket_service.close_ticket(ids[0], status="resolved")
    assert _run(ticket_service, "progress", *ids) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1/4 phases done (25%), in progress"
    assert lines[1].split() == ["ID", "STATUS", "PRIORITY", "ASSIGNEE", "TITLE"]
    assert [line.split()[:2] for line in lines[2:]] == [
        [ids[0], "resolved"], [ids[1], "open"], [ids[2], "open"], [ids[3], "open"]
    ]  # fmt: skip
