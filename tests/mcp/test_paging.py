"""Compact, paged, size-capped: 10,000 tickets walked through list_tickets in responses of at
most 32 KB on the wire, each ticket exactly once; whole tickets and long texts too."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from adapters.local_json import LocalJsonService
from bridge.mcp.paging import MAX_RESPONSE, Cursor, fit_field, wire_cost
from tests.mcp.harness import LOCAL_CONFIG, Session, session

TOTAL = 10_000


def _wire_sizes(wire: Path) -> list[int]:
    """Bytes of every message the server wrote (one JSON-RPC message per line)."""
    return [len(line) for line in wire.read_bytes().splitlines() if line.strip()]


async def _walk(client: Session, **arguments: object) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    calls = 0
    while True:
        page = await client.call("list_tickets", **arguments, cursor=cursor)
        calls += 1
        assert page["count"] == len(page["tickets"])
        seen += [t if isinstance(t, str) else t["id"] for t in page["tickets"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, calls


@pytest.mark.slow
def test_ten_thousand_tickets_walked_in_capped_pages(tmp_path: Path) -> None:
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    store = LocalJsonService(tmp_path / ".tickets")
    made = [
        store.create_ticket(
            f"Ticket {n}: " + "ü" * (n % 80),  # titles of every length, not only ASCII
            priority=("low", "medium", "high", "critical")[n % 4],
            assignee=f"agent-{n % 7}" if n % 3 else None,
            labels=["detail"] if n % 50 == 0 else [],
        ).id
        for n in range(TOTAL)
    ]
    long_text = 'a "quoted" line\n' * 6_000  # about 100 KB, escaped twice on the wire
    huge = store.create_ticket("Huge description", long_text, labels=["detail"]).id
    store.close()
    wire = tmp_path / "wire.jsonl"

    async def scenario() -> None:
        async with session(tmp_path, wire=wire) as client:
            lines, calls = await _walk(client, limit=500)
            ids = [line.split()[0] for line in lines]
            assert len(ids) == TOTAL + 1
            assert set(ids) == {*made, huge}  # every ticket, each exactly once
            assert calls >= (TOTAL * 60) // 30_000  # compact lines, yet more than one page
            whole, _ = await _walk(client, labels=["detail"], detail=True, limit=500)
            assert sorted(whole) == sorted([*made[::50], huge])
            first = await client.call("get_ticket", ticket_id=huge)
            text = first["ticket"]["description"]
            offset = first["description_next_offset"]
            while offset is not None:
                assert offset > len(text) - 1
                more = await client.call("get_ticket", ticket_id=huge, description_offset=offset)
                text += more["ticket"]["description"]
                offset = more["description_next_offset"]
            assert text == long_text  # read on, never cut off

    anyio.run(scenario)
    sizes = _wire_sizes(wire)
    assert len(sizes) > 20
    assert max(sizes) <= MAX_RESPONSE, f"largest response {max(sizes)} bytes"


def test_many_comments_are_paged(tmp_path: Path) -> None:
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    store = LocalJsonService(tmp_path / ".tickets")
    ticket = store.create_ticket("Chatty").id
    bodies = [f"comment {n} " + "x" * 400 for n in range(150)]
    for body in bodies:
        store.add_comment(ticket, body, author="qa-agent")
    store.close()
    wire = tmp_path / "wire.jsonl"

    async def scenario() -> None:
        async with session(tmp_path, wire=wire) as client:
            page = await client.call("get_ticket", ticket_id=ticket, comments=True)
            got = [c["body"] for c in page["comments"]]
            while page["comments_next_cursor"]:
                page = await client.call(
                    "get_ticket", ticket_id=ticket, comments_cursor=page["comments_next_cursor"]
                )
                got += [c["body"] for c in page["comments"]]
            assert got == bodies
            read = await client.client.read_resource(f"ticket://{ticket}")
            data = json.loads(read.contents[0].text)  # type: ignore[union-attr]
            assert data["comments"][-1]["body"] == bodies[-1]  # the latest ones
            assert data["comments_omitted"] + len(data["comments"]) == len(bodies)

    anyio.run(scenario)
    assert max(_wire_sizes(wire)) <= MAX_RESPONSE


def test_cursor_is_bound_to_its_tool_and_query() -> None:
    cursor = Cursor("list_tickets", {"status": ["open"]})
    token = cursor.encode(c=None, s=3)
    assert cursor.decode(token)["s"] == 3
    with pytest.raises(ValueError, match="another list_tickets query"):
        Cursor("list_tickets", {"status": ["closed"]}).decode(token)
    with pytest.raises(ValueError, match="invalid cursor for ready_work"):
        Cursor("ready_work", {"status": ["open"]}).decode(token)
    with pytest.raises(ValueError, match="invalid cursor"):
        cursor.decode("%%%")


def test_a_text_too_long_for_one_response_is_cut_to_fit() -> None:
    data = {"id": "X", "body": 'é"\n' * 20_000}
    fitted, at = fit_field(data, "body", 10_000)  # type: ignore[arg-type]
    assert at is not None
    assert wire_cost(fitted) <= 10_000
    assert fitted["body"] == data["body"][:at]
    assert wire_cost(fitted) > 9_000  # not cut much shorter than it had to be
    assert fit_field({"body": "short"}, "body", 1000) == ({"body": "short"}, None)
