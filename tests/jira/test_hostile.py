"""Hostile answers end in bridge errors within the deadline, in bounded memory, on one host."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.errors import BridgeError, TrackerTimeoutError, UnavailableError
from tests.contract.test_jira import jira_service
from tests.jira.hostile import HostileServer, huge, raw, redirect, trickle, truncated

TIMEOUT = 1.0


def issue(key: str = "TB-1", **fields: Any) -> dict[str, Any]:
    """A well-formed issue answer, as the adapter asks for it."""
    base = {
        "summary": "Fine",
        "description": None,
        "status": {"name": "To Do", "statusCategory": {"key": "new"}},
        "issuetype": {"name": "Task"},
        "project": {"key": "TB"},
        "priority": {"name": "Medium"},
        "labels": [],
        "assignee": None,
        "issuelinks": [],
        "created": "2024-05-01T10:00:00.000+0000",
        "updated": "2024-05-01T10:00:00.000+0000",
        "resolution": None,
    }
    return {"id": "10001", "key": key, "fields": {**base, **fields}, "properties": {}}


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def other() -> Iterator[HostileServer]:
    """Another host: it must never be asked anything."""
    server = HostileServer([raw(200, body(issue()))])
    yield server
    server.stop()


def _service(url: str, mode: str = "cloud", **overrides: object):  # type: ignore[no-untyped-def]
    return jira_service(url, mode, **{"timeout": TIMEOUT, **overrides})


CASES = {
    "html with 200": raw(200, b"<html><body>Proxy login</body></html>", "text/html"),
    "garbage json": raw(200, b'{"id": "1", "key": "TB-1", "fields": {'),
    "not json at all": raw(200, b"\x00\xff\xfe garbage"),
    "json as text/plain": raw(200, body(issue()), "text/plain"),
    "truncated": truncated(body(issue())[:50], 5000),
    "missing fields": raw(200, body({"id": "10001", "key": "TB-1"})),
    "fields not an object": raw(200, body({"id": "10001", "key": "TB-1", "fields": []})),
    "status a string": raw(200, body(issue(status="To Do"))),
    "labels not strings": raw(200, body(issue(labels=[{"x": 1}]))),
    "a 1 MB title": raw(200, body(issue(summary="t" * 1_000_000))),
    "bad timestamp": raw(200, body(issue(created="yesterday"))),
    "id a number": raw(200, body({**issue(), "id": 10001})),
    "html error page": raw(502, b"<html>Bad gateway</html>", "text/html"),
    "empty 200": raw(200, b""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_answers_are_bridge_errors(hostile: HostileServer, name: str) -> None:
    """Each ends in a bridge error (never a traceback from below), well within the deadline."""
    hostile.answers = [CASES[name]]
    service = _service(hostile.url)
    started = time.monotonic()
    with pytest.raises(BridgeError) as info:
        service.get_ticket("TB-1")
    assert time.monotonic() - started < TIMEOUT + 0.5
    assert info.value.adapter == "jira"
    if name in ("missing fields", "status a string", "a 1 MB title", "bad timestamp"):
        assert "fields" in str(info.value)
    if name == "a 1 MB title":
        assert len(str(info.value)) < 1000


def test_a_trickling_body_ends_at_the_deadline(hostile: HostileServer) -> None:
    """One byte every 0.5 s: the request ends at its deadline, not when the body does."""
    hostile.answers = [trickle(body(issue()), 0.5)]
    service = _service(hostile.url)
    started = time.monotonic()
    with pytest.raises(TrackerTimeoutError, match="did not finish"):
        service.get_ticket("TB-1")
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + 0.75, elapsed


@pytest.mark.parametrize("declare", [True, False])
def test_a_50_mb_body_is_refused_in_bounded_memory(hostile: HostileServer, declare: bool) -> None:
    """Declared or not, a 50 MB answer stops at the cap: peak memory stays far under 200 MB."""
    hostile.answers = [huge(50 * 1024 * 1024, declare=declare)]
    service = _service(hostile.url, timeout=10)
    tracemalloc.start()
    try:
        started = time.monotonic()
        with pytest.raises(UnavailableError, match="max_response_bytes"):
            service.get_ticket("TB-1")
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, peak
    assert peak < 60 * 1024 * 1024, peak  # the 20 MB cap, read once and never copied twice
    assert elapsed < 10


def test_the_size_cap_is_configurable(hostile: HostileServer) -> None:
    hostile.answers = [raw(200, body(issue(summary="big" * 1000)))]
    with pytest.raises(UnavailableError, match="max_response_bytes"):
        _service(hostile.url, max_response_bytes=2048).get_ticket("TB-1")


def test_a_redirect_to_another_host_is_not_followed(
    hostile: HostileServer, other: HostileServer
) -> None:
    """The other host receives nothing, so the credentials never reach it."""
    hostile.answers = [redirect(f"{other.url}/rest/api/3/issue/TB-1")]
    with pytest.raises(UnavailableError, match="not followed"):
        _service(hostile.url).get_ticket("TB-1")
    for status in (301, 307, 308):
        hostile.answers = [redirect(f"{other.url}/rest/api/3/issue/TB-1", status)]
        with pytest.raises(UnavailableError):
            _service(hostile.url).get_ticket("TB-1")
    assert other.seen == []


def test_a_redirect_on_the_same_host_is_followed_for_reads(hostile: HostileServer) -> None:
    hostile.answers = [redirect("/rest/api/3/issue/TB-1?moved=1"), raw(200, body(issue()))]
    got = _service(hostile.url).get_ticket("TB-1")
    assert got.title == "Fine"
    assert [s.path for s in hostile.seen] == [
        hostile.seen[0].path,
        "/rest/api/3/issue/TB-1?moved=1",
    ]
    assert hostile.seen[1].headers.get("authorization", "").startswith("Basic ")


def test_a_write_is_never_redirected(hostile: HostileServer) -> None:
    hostile.answers = [redirect("/rest/api/3/issue", 307)]
    with pytest.raises(UnavailableError, match="not followed"):
        _service(hostile.url).adapter._client.request("POST", "/issue", body={"fields": {}})
    assert len(hostile.seen) == 1


def test_redirect_loops_end(hostile: HostileServer) -> None:
    hostile.answers = [redirect("/rest/api/3/issue/TB-1")]
    with pytest.raises(UnavailableError, match="redirected more than"):
        _service(hostile.url).get_ticket("TB-1")


def _statuses() -> bytes:
    return body([{"statuses": [{"name": "To Do", "statusCategory": {"key": "new"}}]}])


def test_a_repeated_page_token_stops_the_search(hostile: HostileServer) -> None:
    """Cloud hands out the same nextPageToken forever: the search stops, with a clear error."""
    page = {"issues": [issue()], "nextPageToken": "again"}
    hostile.answers = [raw(200, body(page))]
    service = _service(hostile.url)
    with pytest.raises(UnavailableError, match="twice"):
        list(service.iter_tickets(labels=["no-such-label"]))
    assert len(hostile.seen) <= 3
    with pytest.raises(UnavailableError, match="twice"):
        service.adapter.find_by_key("k")


def test_endless_pages_stop_at_the_cap(hostile: HostileServer) -> None:
    """Server: startAt advances but total never ends; max_pages stops it."""
    counter = iter(range(10_000))

    def endless(conn, seen):  # type: ignore[no-untyped-def]
        number = next(counter)
        page = {"startAt": number, "total": 10**9, "issues": [issue(f"TB-{number + 1}")]}
        raw(200, body(page))(conn, seen)

    hostile.answers = [endless]
    service = _service(hostile.url, "server", max_pages=5)
    with pytest.raises(UnavailableError, match="max_pages"):
        service.adapter.find_by_key("k")
    assert len(hostile.seen) == 5


def test_nothing_foreign_escapes_from_a_comment_list(hostile: HostileServer) -> None:
    hostile.answers = [raw(200, body({"comments": [{"id": 5}], "total": "many"}))]
    with pytest.raises(UnavailableError, match="comments"):
        _service(hostile.url).list_comments("TB-1")
