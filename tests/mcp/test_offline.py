"""The GitHub fake on loopback behind ``ticket-bridge mcp``: with GitHub down the tools keep
working through the fallback and say pending and why; a create retried with its idempotency
key after a dropped connection makes one issue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from tests.fakes.base import FakeServer, Fault
from tests.fakes.github_fake import GitHubFakeApp, start_github_fake
from tests.mcp.harness import github_config, session

TOKEN = "t0ken"
ENV = {"GITHUB_TOKEN": TOKEN}


@pytest.fixture
def github() -> Iterator[tuple[FakeServer, GitHubFakeApp]]:
    server, app = start_github_fake(token=TOKEN)
    yield server, app
    server.stop()


def test_tools_keep_working_with_github_down(
    tmp_path: Path, github: tuple[FakeServer, GitHubFakeApp]
) -> None:
    server, app = github
    (tmp_path / "ticket-bridge.toml").write_text(github_config(server.url), encoding="utf-8")

    async def scenario() -> None:
        async with session(tmp_path, ENV) as client:
            tools = {t.name: t for t in (await client.client.list_tools()).tools}
            assert tools["create_ticket"].annotations.open_world_hint is True  # type: ignore[union-attr]
            assert tools["outbox_status"].annotations.open_world_hint is False  # type: ignore[union-attr]
            online = await client.call("create_ticket", title="Before the outage")
            assert (online["pending"], online["ticket"]["id"]) == (False, "1")
            server.inject(Fault(status=503, times=10**6))
            made = await client.call("create_ticket", title="Filed offline", priority="high")
            assert made["pending"] is True
            assert "github is unreachable" in made["pending_reason"]
            assert "1 operation(s) wait in the outbox" in made["pending_reason"]
            local_id = made["ticket"]["id"]
            assert local_id.startswith("CLAUDE-")
            assert made["ticket"]["pending"] is True
            moved = await client.call("update_ticket", ticket_id="1", status="in_progress")
            assert (moved["pending"], moved["ticket"]["status"]) == (True, "in_progress")
            noted = await client.call("add_comment", ticket_id=local_id, text="working offline")
            assert noted["pending"] is True
            assert "3 operation(s) wait" in noted["pending_reason"]
            seen = await client.call("get_ticket", ticket_id=local_id)
            assert (seen["pending"], seen["ticket"]["title"]) == (True, "Filed offline")
            message = await client.error("list_tickets")
            assert "transient" in message
            assert TOKEN not in message
            queued = await client.call("outbox_status")
            assert queued["fallback"] is True
            assert [e["op"] for e in queued["entries"]] == ["create", "update", "comment"]
            ready = await client.error("ready_work")  # needs a listing, so the tracker
            assert "UnavailableError" in ready

            server.clear_faults()
            synced = await client.call("sync", direction="push")
            assert synced["replayed"] == 3
            assert synced["counts"]["problems"] == 0
            after = await client.call("get_ticket", ticket_id=local_id)
            assert (after["pending"], after["ticket"]["id"]) == (False, "2")
            assert (await client.call("outbox_status"))["queued"] == 0

    anyio.run(scenario)
    assert [i.title for i in app.issues.values()] == ["Before the outage", "Filed offline"]
    assert [c["body"] for c in app.issues[2].comments][-1].endswith("working offline")
    assert app.issues[1].labels.count("status: in progress") == 1


def test_create_retried_with_its_key_after_a_dropped_connection_makes_one_issue(
    tmp_path: Path, github: tuple[FakeServer, GitHubFakeApp]
) -> None:
    server, app = github
    config = github_config(server.url, attempts=1)  # no retry inside: the client retries
    (tmp_path / "ticket-bridge.toml").write_text(config, encoding="utf-8")
    # GitHub makes the issue, then the connection drops before the answer.
    server.inject(Fault(kind="drop_after", method="POST", path=r"/issues$", times=1))
    key = "delegation-7f3a"

    async def first_session() -> str:
        async with session(tmp_path, ENV) as client:
            first = await client.call("create_ticket", title="Exactly once", idempotency_key=key)
            assert first["pending"] is True  # it may have landed: queued to be looked up
            again = await client.call("create_ticket", title="Exactly once", idempotency_key=key)
            assert again["existing"] is True
            assert again["ticket"]["id"] == first["ticket"]["id"]
            assert (await client.call("outbox_status"))["queued"] == 1
            return str(first["ticket"]["id"])

    async def second_session(local_id: str) -> None:
        async with session(tmp_path, ENV) as client:  # the client reconnected
            retried = await client.call("create_ticket", title="Exactly once", idempotency_key=key)
            assert (retried["existing"], retried["ticket"]["id"]) == (True, local_id)
            synced = await client.call("sync", direction="push")
            assert synced["replayed"] == 1
            last = await client.call("create_ticket", title="Exactly once", idempotency_key=key)
            assert (last["existing"], last["pending"], last["ticket"]["id"]) == (True, False, "1")
            other = await client.call("create_ticket", title="Online", idempotency_key="k-2")
            repeat = await client.call("create_ticket", title="Online", idempotency_key="k-2")
            assert repeat["existing"] is True
            assert repeat["ticket"]["id"] == other["ticket"]["id"] == "2"

    local_id = anyio.run(first_session)
    anyio.run(second_session, local_id)
    assert [i.title for i in app.issues.values()] == ["Exactly once", "Online"]
