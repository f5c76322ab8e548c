"""Every tool, the schemas, the annotations, errors, the resource and the prompt, through the
SDK's client talking to ``ticket-bridge mcp`` over stdio."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from bridge.mcp.server import TOOLS
from tests.mcp.harness import LOCAL_CONFIG, Session, session


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    return tmp_path


def run(workdir: Path, scenario: Any) -> None:
    async def main() -> None:
        async with session(workdir) as client:
            await scenario(client)

    anyio.run(main)


def test_tools_have_described_schemas_and_honest_annotations(workdir: Path) -> None:
    async def scenario(client: Session) -> None:
        listed = {t.name: t for t in (await client.client.list_tools()).tools}
        assert set(listed) == set(TOOLS)
        for name, tool in listed.items():
            assert tool.description, name
            assert "\n    " not in tool.description, name  # the docstring's indent is gone
            schema = tool.input_schema
            assert schema["additionalProperties"] is False, name
            for arg, spec in schema.get("properties", {}).items():
                assert spec.get("description"), f"{name}.{arg} has no description"
            assert tool.output_schema is not None, name
            read_only, destructive, idempotent = TOOLS[name]
            hints = tool.annotations
            assert hints is not None
            assert hints.read_only_hint is read_only, name
            assert hints.destructive_hint is destructive, name
            assert hints.idempotent_hint is idempotent, name
            assert hints.open_world_hint is False, name  # the local store is a closed world
        assert listed["get_ticket"].annotations.read_only_hint  # type: ignore[union-attr]
        assert not listed["close_ticket"].annotations.read_only_hint  # type: ignore[union-attr]
        create = listed["create_ticket"].input_schema["properties"]
        assert create["priority"]["enum"] == ["low", "medium", "high", "critical"]
        assert "idempotency_key" in create

    run(workdir, scenario)


async def _crud(client: Session) -> dict[str, str]:
    parent = (await client.call("create_ticket", title="Epic: login", type="epic"))["ticket"]
    assert parent["type"] == "epic"
    assert parent["id"].startswith("CLAUDE-")
    child = (
        await client.call(
            "create_ticket",
            title="Fix login",
            description="500 on submit",
            priority="high",
            assignee="engineer",
            labels=["auth"],
            parent_id=parent["id"],
            metadata={"estimate": 4},
        )
    )["ticket"]
    assert (child["parent_id"], child["labels"], child["metadata"]) == (
        parent["id"],
        ["auth"],
        {"estimate": 4},
    )
    got = await client.call("get_ticket", ticket_id=child["id"])
    assert got["ticket"] == child
    assert got["pending"] is False
    updated = await client.call("update_ticket", ticket_id=child["id"], status="in_progress")
    assert updated["ticket"]["status"] == "in_progress"
    assert updated["ticket"]["priority"] == "high"  # left alone
    unassigned = await client.call("update_ticket", ticket_id=child["id"], unassign=True)
    assert unassigned["ticket"]["assignee"] is None
    comment = await client.call(
        "add_comment", ticket_id=child["id"], text="Root cause found", author="research-agent"
    )
    assert comment["comment"]["author"] == "research-agent"
    with_comments = await client.call("get_ticket", ticket_id=child["id"], comments=True)
    assert [c["body"] for c in with_comments["comments"]] == ["Root cause found"]
    closed = await client.call("close_ticket", ticket_id=child["id"], resolution="PR #123")
    assert (closed["ticket"]["status"], closed["ticket"]["resolution"]) == ("closed", "PR #123")
    reopened = await client.call("reopen_ticket", ticket_id=child["id"])
    assert (reopened["ticket"]["status"], reopened["ticket"]["resolution"]) == ("open", None)
    return {"parent": parent["id"], "child": child["id"]}


async def _lists_and_links(client: Session, ids: dict[str, str]) -> None:
    listed = await client.call("list_tickets", status=["open"])
    assert listed["count"] == 2
    assert listed["next_cursor"] is None
    line = next(t for t in listed["tickets"] if t.startswith(ids["child"]))
    assert line == f"{ids['child']} open high - Fix login"
    whole = await client.call("list_tickets", labels=["auth"], detail=True)
    assert [t["id"] for t in whole["tickets"]] == [ids["child"]]
    found = await client.call("search_tickets", query="SUBMIT")
    assert [t.split()[0] for t in found["tickets"]] == [ids["child"]]
    children = await client.call("get_children", ticket_id=ids["parent"])
    assert [t.split()[0] for t in children["tickets"]] == [ids["child"]]
    other = (await client.call("create_ticket", title="Write docs", assignee="docs"))["ticket"]
    linked = await client.call("link_tickets", ticket_id=other["id"], depends_on=ids["child"])
    assert linked["ticket"]["dependencies"] == [ids["child"]]
    moved = await client.call("link_tickets", ticket_id=other["id"], parent_id=ids["parent"])
    assert moved["ticket"]["parent_id"] == ids["parent"]
    tree = await client.call("ticket_tree", ticket_id=ids["parent"])
    assert tree["lines"][0].startswith(ids["parent"])
    assert any(line.strip().startswith(other["id"]) for line in tree["lines"][1:])
    assert any(f"blocked by: {ids['child']}" in line for line in tree["lines"])
    ready = await client.call("ready_work")
    assert other["id"] not in {t.split()[0] for t in ready["tickets"]}  # its blocker is open
    unlinked = await client.call(
        "link_tickets", ticket_id=other["id"], depends_on=ids["child"], remove=True
    )
    assert unlinked["ticket"]["dependencies"] == []
    ready = await client.call("ready_work", parent_id=ids["parent"])
    assert [t.split()[0] for t in ready["tickets"]] == [ids["child"], other["id"]]  # high first


async def _workflows(client: Session, ids: dict[str, str]) -> None:
    task = await client.call(
        "create_agent_task_ticket",
        agent_name="qa",
        task_description="Validate the login fix",
        priority="high",
        additional_context={"parent_ticket": ids["parent"], "dependencies": [ids["child"]]},
    )
    ticket = task["ticket"]
    assert ticket["title"] == "[qa] Validate the login fix"
    assert (ticket["parent_id"], ticket["dependencies"]) == (ids["parent"], [ids["child"]])
    assert "due_at" in ticket["metadata"]["sla"]
    progress = await client.call(
        "track_agent_progress", ticket_id=ticket["id"], agent_name="qa", checkpoint="started"
    )
    assert progress["comment"]["author"] == "qa-agent"
    assert progress["ticket"].split()[1] == "in_progress"
    blocked = await client.call(
        "track_agent_progress", ticket_id=ticket["id"], agent_name="qa", checkpoint="blocked"
    )
    assert blocked["ticket"].split()[1:3] == ["blocked", "high"]
    load = await client.call("agent_workload", agents=["qa", "engineer"])
    assert load["agents"]["qa"]["blocked"] == 1
    assert load["agents"]["qa"]["total"] == 1
    late = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
    overdue = (
        await client.call(
            "create_ticket", title="Late work", metadata={"sla": {"hours": 1, "due_at": late}}
        )
    )["ticket"]
    breaches = await client.call("sla_breaches")
    assert [b["id"] for b in breaches["breaches"]] == [overdue["id"]]
    assert breaches["breaches"][0]["hours_late"] >= 2.9
    progress_of = await client.call(
        "feature_progress", ticket_ids=[ids["child"], ticket["id"], overdue["id"]]
    )
    assert (progress_of["completed_phases"], progress_of["total_phases"]) == (0, 3)
    outbox = await client.call("outbox_status")
    assert (outbox["fallback"], outbox["queued"], outbox["entries"]) == (False, 0, [])
    message = await client.error("sync")
    assert "is the local store itself" in message


def test_every_tool_on_the_local_store(workdir: Path) -> None:
    async def scenario(client: Session) -> None:
        ids = await _crud(client)
        await _lists_and_links(client, ids)
        await _workflows(client, ids)

    run(workdir, scenario)


def test_resource_and_delegation_prompt(workdir: Path) -> None:
    async def scenario(client: Session) -> None:
        made = (await client.call("create_ticket", title="Rate limiting"))["ticket"]
        await client.call("add_comment", ticket_id=made["id"], text="first", author="pm")
        templates = (await client.client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["ticket://{ticket_id}"]
        read = await client.client.read_resource(f"ticket://{made['id']}")
        data = json.loads(read.contents[0].text)  # type: ignore[union-attr]
        assert data["id"] == made["id"]
        assert [c["body"] for c in data["comments"]] == ["first"]
        prompts = (await client.client.list_prompts()).prompts
        assert [p.name for p in prompts] == ["delegate_with_ticket"]
        prompt = await client.client.get_prompt(
            "delegate_with_ticket",
            {"agent_type": "research", "task": "Research rate limiting", "priority": "high"},
        )
        text = prompt.messages[0].content.text  # type: ignore[union-attr]
        assert "create_agent_task_ticket" in text
        assert "(Ticket: <id>)" in text
        assert "Update ticket <id> with progress" in text
        assert 'agent_name="research"' in text
        assert "track_agent_progress" in text

    run(workdir, scenario)


def test_bad_arguments_are_refused_by_the_schema(workdir: Path) -> None:
    async def scenario(client: Session) -> None:
        message = await client.error("create_ticket", title="X", priority="urgent")
        assert "priority" in message
        assert "'low', 'medium', 'high' or 'critical'" in message
        message = await client.error("create_ticket", priority="high")
        assert "title: Field required" in message
        message = await client.error("create_ticket", title="X", prio="high", colour=1)
        assert "colour: unknown argument" in message
        assert "prio: unknown argument" in message
        message = await client.error("list_tickets", limit=0)
        assert "limit" in message
        message = await client.error("list_tickets", status=["opened"])
        assert "status.0" in message
        message = await client.error("track_agent_progress", ticket_id="A-1", agent_name="qa")
        assert "checkpoint: Field required" in message
        message = await client.error("get_ticket", ticket_id="")
        assert "ticket_id" in message
        for text in (message,):
            assert "pydantic.dev" not in text

    run(workdir, scenario)


def test_bridge_errors_are_tool_errors_with_their_message(workdir: Path) -> None:
    async def scenario(client: Session) -> None:
        message = await client.error("get_ticket", ticket_id="CLAUDE-404")
        assert "NotFoundError" in message
        assert "CLAUDE-404" in message
        message = await client.error("get_ticket", ticket_id="../etc")
        assert "InvalidError: " in message
        assert "invalid ticket id" in message
        message = await client.error("update_ticket", ticket_id="CLAUDE-1")
        assert "nothing to update" in message
        message = await client.error("link_tickets", ticket_id="CLAUDE-1")
        assert "exactly one of parent_id or depends_on" in message
        message = await client.error("list_tickets", cursor="not-a-cursor")
        assert "invalid cursor for list_tickets" in message
        for n in range(3):
            await client.call("create_ticket", title=f"T{n}")
        page = await client.call("list_tickets", limit=1)
        message = await client.error(
            "list_tickets", limit=1, cursor=page["next_cursor"], detail=True
        )
        assert "belongs to another list_tickets query" in message
        message = await client.error("ready_work", cursor=page["next_cursor"])
        assert "invalid cursor for ready_work" in message
        message = await client.error("close_ticket", ticket_id="CLAUDE-404")
        assert "NotFoundError" in message

    run(workdir, scenario)
