"""Broken and hostile answers end in bridge errors, in bounded time and memory.

Each case is served by :mod:`tests.github.hostile` on loopback: bodies that are not JSON or
not the shape GitHub documents, redirects elsewhere, pages that never end, bodies that
trickle in or never stop.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from adapters.github import GitHubService
from bridge.errors import BridgeError, TrackerTimeoutError, UnavailableError
from bridge.models import MAX_TITLE
from tests.contract.test_github import github_service
from tests.github.hostile import ISSUE_PATH, HostileServer, issue, send, send_chunks

ROOT = Path(__file__).resolve().parents[2]
Answer = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def hostile() -> Iterator[Callable[..., tuple[HostileServer, GitHubService]]]:
    made: list[tuple[HostileServer, GitHubService]] = []

    def make(answer: Answer, **settings: Any) -> tuple[HostileServer, GitHubService]:
        server = HostileServer(answer)
        service = github_service(server.url, **{"timeout": 10, **settings})
        made.append((server, service))
        return server, service

    yield make
    for server, service in made:
        service.close()
        server.stop()


def _error(service: GitHubService, call: Callable[[], object] | None = None) -> BridgeError:
    with pytest.raises(BridgeError) as info:
        (call or (lambda: service.get_ticket("1")))()
    assert info.value.adapter == "github"
    return info.value


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "not JSON (text/html"),
        (b"\x00\xff{{{ garbage", "application/json", "not JSON"),
        (b'{"id": 1, "title": "truncated', "application/json", "not JSON"),
    ],
    ids=["html", "garbage", "truncated"],
)
def test_a_body_that_is_not_json(hostile, body, content_type, words) -> None:  # type: ignore[no-untyped-def]
    """HTML from a proxy, garbage, a body cut short: UnavailableError saying so."""
    _, service = hostile(lambda h: send(h, body, content_type=content_type))
    error = _error(service)
    assert isinstance(error, UnavailableError)
    assert words in str(error)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (issue(number=None), "number"),
        (issue(created_at=None), "created_at"),
        (issue(title=12345), "title"),
        (issue(number="one"), "number"),
        (issue(labels="bug"), "labels"),
        (issue(labels=[{"color": "red"}]), "labels.0"),
        (issue(assignees=[{"login": 7}]), "assignees.0.login"),
        (issue(state="merged"), "state"),
        (issue(created_at="yesterday"), "created_at"),
        (issue(issue_dependencies_summary={"blocked_by": "many"}), "blocked_by"),
        (issue(title="   "), "title"),
        ([issue()], "list, not an object"),
        ("just a string", "str, not an object"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_missing_or_mistyped_field_is_named(hostile, payload, field) -> None:  # type: ignore[no-untyped-def]
    """Every field the adapter reads is checked: the error names the one that is wrong."""
    _, service = hostile(lambda h: send(h, payload))
    error = _error(service)
    assert isinstance(error, UnavailableError)
    assert field in str(error)


def test_a_list_with_a_broken_item_names_it(hostile) -> None:  # type: ignore[no-untyped-def]
    """An item of a list page without its number: the error says which one."""
    _, service = hostile(lambda h: send(h, [issue(1), issue(2, id=None)]))
    error = _error(service, service.list_tickets)
    assert "issue [1] #2: id: Field required" in str(error)


def test_a_megabyte_title_is_cut_with_a_warning(hostile, caplog) -> None:  # type: ignore[no-untyped-def]
    """A title longer than the model allows is shown cut to the limit, with a warning."""
    _, service = hostile(lambda h: send(h, issue(title="T" * 1_000_000)))
    with caplog.at_level(logging.WARNING, logger="adapters.github"):
        ticket = service.get_ticket("1")
    assert len(ticket.title) == MAX_TITLE
    assert ticket.title.endswith("…")
    assert "title of 1000000 characters" in caplog.text


def _redirect(location: str, status: int = 301) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, {"message": "Moved"}, status=status, headers={"Location": location})

    return answer


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(hostile, status) -> None:  # type: ignore[no-untyped-def]
    """The other host (another port on loopback) receives no request and so no token."""
    other, _ = hostile(lambda h: send(h, issue()))
    _, service = hostile(_redirect(f"{other.url}{ISSUE_PATH}", status))
    error = _error(service)
    assert isinstance(error, UnavailableError)
    assert "not followed" in str(error)
    assert other.seen == []


def test_a_redirect_on_the_same_host_is_followed_with_the_token(hostile) -> None:  # type: ignore[no-untyped-def]
    """A same-origin redirect is followed (with its query), the token kept."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/moved"):
            send(handler, issue())
        else:
            send(handler, {}, status=301, headers={"Location": "/moved/issues/1?x=1"})

    server, service = hostile(answer)
    assert service.get_ticket("1").title == "Issue 1"
    assert [s.path for s in server.seen] == [ISSUE_PATH, "/moved/issues/1?x=1"]
    assert all(s.headers["authorization"] == "token t0ken" for s in server.seen)


def test_a_redirect_loop_stops(hostile) -> None:  # type: ignore[no-untyped-def]
    """Redirects that lead back to themselves end after a few hops."""
    server, service = hostile(_redirect(ISSUE_PATH, 302))
    error = _error(service)
    assert "redirected more than 5 times" in str(error)
    assert len(server.seen) == 6


def test_a_write_redirected_by_301_is_not_resent(hostile) -> None:  # type: ignore[no-untyped-def]
    """A POST answered 301 is not repeated as another request."""
    server, service = hostile(_redirect("/api/v3/repos/octo/elsewhere/issues/1/comments"))
    error = _error(service, lambda: service.add_comment("1", "hi"))
    assert "nothing was changed" in str(error)
    assert len(server.seen) == 1


def _self_linking(handler: BaseHTTPRequestHandler) -> None:
    here = f"http://{handler.headers['Host']}{handler.path}"
    send(handler, [issue()], headers={"Link": f'<{here}>; rel="next"'})


def test_a_next_link_to_the_same_page_stops(hostile) -> None:  # type: ignore[no-untyped-def]
    """``rel="next"`` pointing at the page itself: an error after one request."""
    server, service = hostile(_self_linking)
    error = _error(service, lambda: list(service.iter_tickets()))
    assert "does not move on" in str(error)
    assert len(server.seen) == 1
    changes = _error(service, lambda: service.adapter.changes_since(None))
    assert "does not move on" in str(changes)


def test_pages_without_end_stop_at_max_pages(hostile) -> None:  # type: ignore[no-untyped-def]
    """Each page names a next one: reading stops at ``max_pages`` with a clear error."""
    counter = iter(range(1, 10_000))

    def endless(handler: BaseHTTPRequestHandler) -> None:
        n = next(counter)
        send(
            handler,
            [issue(n)],
            headers={"Link": f'<http://{handler.headers["Host"]}/x?page={n + 1}>; rel="next"'},
        )

    server, service = hostile(endless, max_pages=3)
    error = _error(service, lambda: list(service.iter_tickets()))
    assert "more than 3 pages (max_pages)" in str(error)
    assert len(server.seen) == 3


def test_a_trickled_body_stops_at_the_deadline(hostile) -> None:  # type: ignore[no-untyped-def]
    """One byte every 0.5 s never trips the 2 s read timeout; the 10 s deadline ends it."""
    body = json.dumps(issue()).encode()
    _, service = hostile(
        lambda h: send_chunks(h, (body[i : i + 1] for i in range(len(body))), pause=0.5),
        timeout=2,
        deadline=10,
    )
    started = time.monotonic()
    error = _error(service)
    elapsed = time.monotonic() - started
    assert isinstance(error, TrackerTimeoutError)
    assert "deadline of 10 s" in str(error)
    assert 9.5 <= elapsed < 11.5


def test_a_declared_length_over_the_cap_is_not_read(hostile) -> None:  # type: ignore[no-untyped-def]
    """Content-Length over ``max_response_bytes``: refused before the body is read."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"[" * 1024)

    _, service = hostile(answer, max_response_bytes=1024 * 1024)
    error = _error(service)
    assert "52428800 bytes, over the limit of 1048576 bytes" in str(error)


PEAK = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from adapters.github import GitHubConfig, GitHubService
    from bridge.errors import BridgeError
    from tests.github.hostile import HostileServer, huge_issue, send_chunks

    # only what a user's process holds: no test helpers (the fakes' OpenAPI checks load
    # the descriptions, which would count in the peak)
    server = HostileServer(lambda h: send_chunks(h, huge_issue(50 * 1024 * 1024)))
    config = GitHubConfig(
        repo="octo/tickets",
        base_url=server.url + "/api/v3",
        seconds_between_requests=None,
        seconds_between_writes=None,
        timeout=30,
        deadline=120,
    )
    service = GitHubService(config, token="t0ken")
    started = time.monotonic()
    try:
        service.get_ticket("1")
        outcome = "read"
    except BridgeError as exc:
        outcome = type(exc).__name__ + ": " + str(exc)
    print(outcome)
    print(time.monotonic() - started)
    # VmHWM: this process's own peak (ru_maxrss would include the parent's size at fork)
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) // 1024)
    """
)


def test_fifty_megabytes_stop_at_the_cap_in_bounded_memory() -> None:
    """A 50 MB answer without a length: reading stops at the 20 MB cap; peak under 200 MB."""
    run = subprocess.run(
        [sys.executable, "-c", PEAK.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    outcome, seconds, peak_mb = run.stdout.strip().splitlines()
    assert outcome.startswith("UnavailableError")
    assert "over the limit of 20971520 bytes" in outcome
    assert int(peak_mb) < 200, f"peak {peak_mb} MB"
    assert float(seconds) < 100
