"""Ready work: open, unblocked tickets whose dependencies are done, most urgent first; in the
Python API, on the command line, and over MCP on the guide's phased feature."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from adapters.local_json import LocalJsonService
from bridge.cli import main
from bridge.workflows import TicketingHelper, create_phased_ticket, ready_work
from tests.mcp.harness import LOCAL_CONFIG, session


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalJsonService]:
    service = LocalJsonService(tmp_path / ".tickets")
    yield service
    service.close()


def _ids(tickets: list[object]) -> list[str]:
    return [t.id for t in tickets]  # type: ignore[attr-defined]


def test_most_urgent_first_then_oldest(store: LocalJsonService) -> None:
    low = store.create_ticket("low", priority="low")
    old_high = store.create_ticket("old high", priority="high")
    critical = store.create_ticket("critical", priority="critical")
    new_high = store.create_ticket("new high", priority="high")
    assert _ids(ready_work(store)) == [critical.id, old_high.id, new_high.id, low.id]
    assert _ids(ready_work(store, limit=2)) == [critical.id, old_high.id]
    assert ready_work(store, limit=0) == []


def test_only_open_tickets_whose_dependencies_are_done(store: LocalJsonService) -> None:
    blocker = store.create_ticket("blocker")
    waiting = store.create_ticket("waiting", dependencies=[blocker.id])
    started = store.create_ticket("started")
    store.update_ticket(started.id, status="in_progress")
    stuck = store.create_ticket("stuck")
    store.update_ticket(stuck.id, status="blocked")
    done = store.create_ticket("done")
    store.close_ticket(done.id)
    after_done = store.create_ticket("after done", dependencies=[done.id])
    assert _ids(ready_work(store)) == [blocker.id, after_done.id]
    store.close_ticket(blocker.id, status="resolved")
    assert _ids(ready_work(store)) == [waiting.id, after_done.id]
    store.update_ticket(waiting.id, dependencies=[stuck.id])  # blocked counts as not done
    assert _ids(ready_work(store)) == [after_done.id]


def test_for_one_agent_or_under_one_parent(store: LocalJsonService) -> None:
    epic = store.create_ticket("epic", type="epic")
    mine = store.create_ticket("mine", assignee="engineer", parent_id=epic.id)
    store.create_ticket("theirs", assignee="qa", parent_id=epic.id)
    loose = store.create_ticket("loose", assignee="engineer")
    assert _ids(ready_work(store, agent="engineer")) == [mine.id, loose.id]
    assert _ids(ready_work(store, parent_id=epic.id, agent="engineer")) == [mine.id]
    assert len(ready_work(store, parent_id=epic.id)) == 2


def test_a_dependency_that_cannot_be_found_is_not_done(tmp_path: Path) -> None:
    store = LocalJsonService(tmp_path / ".tickets")
    gone = store.create_ticket("gone")
    waiting = store.create_ticket("waiting", dependencies=[gone.id])
    (tmp_path / ".tickets" / "tickets" / f"{gone.id}.json").unlink()
    store.close()
    store = LocalJsonService(tmp_path / ".tickets")
    assert waiting.id not in _ids(ready_work(store))
    store.close()


def test_ready_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    store = LocalJsonService(tmp_path / ".tickets")
    first = store.create_ticket("Research", assignee="research", priority="high")
    store.create_ticket("Design", assignee="engineer", dependencies=[first.id])
    store.close()
    assert main(["--config", "ticket-bridge.toml", "ready"]) == 0
    out = capsys.readouterr().out
    assert first.id in out
    assert "Design" not in out
    assert main(["--config", "ticket-bridge.toml", "--json", "ready", "-a", "engineer"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--config", "ticket-bridge.toml", "ready", "--agent", "engineer"]) == 0
    assert "nothing is ready" in capsys.readouterr().out


def test_ready_work_walks_the_guides_phased_feature(tmp_path: Path) -> None:
    """Research, design, implementation, testing (the guide's Example 2): at each step only
    the phase whose predecessors are done is ready, over MCP."""
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    store = LocalJsonService(tmp_path / ".tickets")
    helper = TicketingHelper(store)
    epic = store.create_ticket("Add API rate limiting", type="epic")
    phases = []
    for number, agent, task in (
        (1, "research", "Research rate limiting strategies and libraries"),
        (2, "engineer", "Design rate limiting architecture"),
        (3, "engineer", "Implement rate limiting system"),
        (4, "qa", "Test rate limiting under load"),
    ):
        ticket = create_phased_ticket(
            number,
            agent,
            task,
            [f"deliverable of phase {number}"],
            dependencies=[phases[-1]] if phases else [],
            parent=epic.id,
            helper=helper,
        )
        phases.append(ticket.id)
    store.close()

    async def scenario() -> None:
        async with session(tmp_path) as client:
            for step, phase in enumerate(phases):
                ready = await client.call("ready_work", parent_id=epic.id)
                assert [line.split()[0] for line in ready["tickets"]] == [phase], step
                everywhere = await client.call("ready_work")
                ids = [line.split()[0] for line in everywhere["tickets"]]
                assert set(ids) & set(phases) == {phase}
                agent = ready["tickets"][0].split()[3]
                for checkpoint in ("started", "completed"):
                    await client.call(
                        "track_agent_progress",
                        ticket_id=phase,
                        agent_name=agent,
                        checkpoint=checkpoint,
                    )
                progress = await client.call("feature_progress", ticket_ids=phases)
                assert progress["completed_phases"] == step + 1
            assert (await client.call("ready_work", parent_id=epic.id))["tickets"] == []
            assert progress["status"] == "complete"

    anyio.run(scenario)
