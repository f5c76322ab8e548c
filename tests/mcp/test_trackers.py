"""The tools on the GitHub fake and the Jira fakes (Cloud and Server), through the SDK's
client talking to ``ticket-bridge mcp`` over stdio: the same calls as on the local store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from tests.fakes.base import FakeServer
from tests.fakes.github_fake import start_github_fake
from tests.fakes.jira_fake import start_jira_fake
from tests.mcp.harness import Session, github_config, session

ENV = {"GITHUB_TOKEN": "t0ken", "JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "t0k"}


def _jira_config(url: str, mode: str) -> str:
    return f"""
[bridge]
tracker = "jira"
[trackers.jira]
type = "jira"
server = "{url}"
project = "TB"
deployment = "{mode}"
timeout = 5
[trackers.local]
type = "local_json"
path = "store"
[retry]
attempts = 2
initial_wait = 0
max_wait = 0.01
jitter = 0
"""


@pytest.fixture(params=["github", "jira-cloud", "jira-server"])
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FakeServer]:
    if request.param == "github":
        server, _ = start_github_fake(token=ENV["GITHUB_TOKEN"])
        text = github_config(server.url)
    else:
        mode = request.param.removeprefix("jira-")
        server, _ = start_jira_fake(mode)
        text = _jira_config(server.url, mode)
    (tmp_path / "ticket-bridge.toml").write_text(text, encoding="utf-8")
    yield server
    server.stop()


async def _scenario(client: Session) -> None:
    parent = (await client.call("create_ticket", title="Epic: login", type="epic"))["ticket"]
    child = (
        await client.call(
            "create_ticket",
            title="Fix login",
            description="500 on submit",
            priority="high",
            labels=["auth"],
            parent_id=parent["id"],
            idempotency_key="fix-login-1",
        )
    )["ticket"]
    assert (child["parent_id"], child["priority"], child["labels"]) == (
        parent["id"],
        "high",
        ["auth"],
    )
    again = await client.call(
        "create_ticket", title="Fix login", parent_id=parent["id"], idempotency_key="fix-login-1"
    )
    assert again["ticket"]["id"] == child["id"]
    moved = await client.call("update_ticket", ticket_id=child["id"], status="in_progress")
    assert moved["ticket"]["status"] == "in_progress"
    await client.call("add_comment", ticket_id=child["id"], text="Root cause", author="research")
    seen = await client.call("get_ticket", ticket_id=child["id"], comments=True)
    assert [(c["author"], c["body"]) for c in seen["comments"]] == [("research", "Root cause")]
    children = await client.call("get_children", ticket_id=parent["id"])
    assert [t.split()[0] for t in children["tickets"]] == [child["id"]]
    docs = (await client.call("create_ticket", title="Write docs"))["ticket"]
    linked = await client.call("link_tickets", ticket_id=docs["id"], depends_on=child["id"])
    assert linked["ticket"]["dependencies"] == [child["id"]]
    ready = {t.split()[0] for t in (await client.call("ready_work"))["tickets"]}
    assert docs["id"] not in ready  # its blocker is not done
    closed = await client.call("close_ticket", ticket_id=child["id"], resolution="PR #123")
    assert closed["ticket"]["status"] == "closed"
    ready = {t.split()[0] for t in (await client.call("ready_work"))["tickets"]}
    assert docs["id"] in ready
    found = await client.call("search_tickets", query="docs")
    assert [t.split()[0] for t in found["tickets"]] == [docs["id"]]
    listed = await client.call("list_tickets", status=["open"], detail=True)
    assert {t["id"] for t in listed["tickets"]} == {parent["id"], docs["id"]}


def test_the_tools_on_each_tracker(tracker: FakeServer, tmp_path: Path) -> None:
    """Create (with a key, twice: one ticket), update, comment, children, links, ready
    work, close, search and list give the same answers on GitHub and Jira."""

    async def main() -> None:
        async with session(tmp_path, ENV) as client:
            await _scenario(client)

    anyio.run(main)
