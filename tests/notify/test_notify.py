"""Stakeholder webhooks, tested with respx: payloads, headers, retries, a dead endpoint."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from bridge import __version__
from bridge.errors import ConfigError
from bridge.models import Priority, Ticket
from bridge.notify import Notifier, NotifyEvent, NotifySettings, Webhook, load_notifier
from bridge.service import TicketingService
from bridge.workflows import TicketingHelper, check_sla, handle_production_emergency

SECRET_URL = "https://hooks.example.test/services/T000/B000/canary-secret-xyz"
ENV = {"OPS_HOOK": SECRET_URL}


class FakeClock:
    """A monotonic clock that only moves when the notifier sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _notifier(fmt: str = "json", **kwargs: object) -> tuple[Notifier, FakeClock]:
    clock = FakeClock()
    settings = NotifySettings.model_validate(
        {"webhooks": [{"name": "ops", "url_env": "OPS_HOOK", "format": fmt}], **kwargs}
    )
    return Notifier(settings, environ=ENV, sleep=clock.sleep, clock=clock), clock


def _ticket(priority: str = "critical") -> Ticket:
    return Ticket(id="CLAUDE-1", title="DB down", priority=Priority(priority), assignee="ops")


@respx.mock
def test_json_payload_and_headers_for_a_new_urgent_ticket() -> None:
    """A critical ticket is posted as JSON: event, ticket summary, text; our User-Agent."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier()
    notifier.ticket_created(_ticket())
    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["event"] == "ticket_created"
    assert body["source"] == "ticket-bridge"
    assert body["ticket"] == {
        "id": "CLAUDE-1",
        "title": "DB down",
        "status": "open",
        "priority": "critical",
        "type": "task",
        "assignee": "ops",
        "parent_id": None,
        "url": None,
    }
    assert "New critical ticket CLAUDE-1: DB down" in body["text"]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"ticket-bridge/{__version__}"
    assert notifier.sent == [("ops", "ticket_created")]


@respx.mock
def test_json_payloads_of_sla_breach_and_emergency_update() -> None:
    """SLA breaches carry ``due_at``; emergency updates carry ``status`` and ``details``."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(204))
    notifier, _ = _notifier()
    notifier.sla_breach(_ticket("low"), "2026-01-01T00:00:00+00:00")
    notifier.emergency_update(_ticket(), "mitigated", "pool raised")
    breach, update = (json.loads(c.request.content) for c in route.calls)
    assert (breach["event"], breach["due_at"]) == ("sla_breach", "2026-01-01T00:00:00+00:00")
    assert breach["ticket"]["priority"] == "low"
    assert (update["event"], update["status"], update["details"]) == (
        "emergency_update",
        "mitigated",
        "pool raised",
    )


@respx.mock
def test_slack_form_for_every_event() -> None:
    """Slack-compatible webhooks get a ``text`` field only, one per event."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier("slack")
    notifier.ticket_created(_ticket())
    notifier.sla_breach(_ticket(), "2026-01-01T00:00:00+00:00")
    notifier.emergency_update(_ticket(), "mitigated", "pool raised")
    created, breach, update = (json.loads(c.request.content) for c in route.calls)
    assert set(created) == set(breach) == set(update) == {"text"}
    assert "New critical ticket CLAUDE-1" in created["text"]
    assert "SLA breached on CLAUDE-1" in breach["text"]
    assert "STATUS UPDATE: mitigated\npool raised" in update["text"]


@respx.mock
def test_min_priority_and_events_filter_what_is_sent() -> None:
    """A medium ticket does not reach a webhook starting at high; unlisted events are not sent."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    settings = NotifySettings(
        webhooks=[Webhook(name="ops", url_env="OPS_HOOK", events=[NotifyEvent.SLA_BREACH])]
    )
    notifier = Notifier(settings, environ=ENV)
    notifier.ticket_created(_ticket("critical"))
    notifier.emergency_update(_ticket(), "x", "y")
    assert route.call_count == 0
    default, _ = _notifier()
    default.ticket_created(_ticket("medium"))
    assert route.call_count == 0
    default.ticket_created(_ticket("high"))
    assert route.call_count == 1


@respx.mock
def test_retries_on_5xx_and_429_honouring_retry_after() -> None:
    """503 then 429 (Retry-After: 1) then 200: three requests, waits of backoff then 1 s."""
    route = respx.post(SECRET_URL).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(200),
        ]
    )
    notifier, clock = _notifier()
    notifier.ticket_created(_ticket())
    assert route.call_count == 3
    assert clock.sleeps == [0.25, 1.0]
    assert notifier.sent == [("ops", "ticket_created")]


@respx.mock
def test_retry_after_is_capped() -> None:
    """A 429 asking for an hour is waited ``max_wait`` at most."""
    route = respx.post(SECRET_URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200)]
    )
    notifier, clock = _notifier(max_wait=1.5)
    notifier.ticket_created(_ticket())
    assert route.call_count == 2
    assert clock.sleeps == [1.5]


@respx.mock
def test_retry_after_reads_decimal_seconds_and_http_dates() -> None:
    """Retry-After in decimal seconds, as a past HTTP date (no wait) or a far one (capped);
    a 503 that names its wait in garbage gets the backoff (0.25 s doubled three times)."""
    route = respx.post(SECRET_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0.5"}),
            httpx.Response(503, headers={"Retry-After": "Thu, 01 Jan 2015 11:00:00 GMT"}),
            httpx.Response(503, headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}),
            httpx.Response(503, headers={"Retry-After": "soon"}),
            httpx.Response(200),
        ]
    )
    notifier, clock = _notifier(attempts=5, max_wait=3.0, deadline=30.0)
    notifier.ticket_created(_ticket())
    assert route.call_count == 5
    assert clock.sleeps == [0.5, 0.0, 3.0, 2.0]
    assert notifier.sent == [("ops", "ticket_created")]


@respx.mock
def test_a_zero_max_wait_retries_at_once() -> None:
    """``max_wait = 0`` (allowed in ``[notify]``) retries without waiting."""
    route = respx.post(SECRET_URL).mock(side_effect=[httpx.Response(502), httpx.Response(200)])
    notifier, clock = _notifier(max_wait=0)
    notifier.ticket_created(_ticket())
    assert route.call_count == 2
    assert clock.sleeps == [0.0]


@respx.mock
def test_client_errors_are_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    """A 404 is a permanent failure: one request, logged by webhook name and status."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(404))
    notifier, clock = _notifier()
    with caplog.at_level(logging.WARNING):
        notifier.ticket_created(_ticket())
    assert route.call_count == 1
    assert clock.sleeps == []
    assert "webhook ops: ticket_created not delivered: HTTP 404" in caplog.text


@respx.mock
def test_deadline_bounds_a_send() -> None:
    """Slow failures stop at the deadline, and no request may outlast what is left of it."""
    notifier, clock = _notifier(attempts=10, timeout=2.0, deadline=5.0, backoff=0.5)
    timeouts: list[float] = []

    def slow_failure(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        clock.now += 2.0
        return httpx.Response(502)

    respx.post(SECRET_URL).mock(side_effect=slow_failure)
    start = clock.now
    notifier.ticket_created(_ticket())
    assert clock.now - start <= 5.0
    assert len(timeouts) == 2
    assert all(t <= 2.0 for t in timeouts)
    assert notifier.failed == [("ops", "ticket_created")]


@respx.mock
def test_dead_webhook_never_fails_or_stalls_ticket_operations(
    ticket_service: TicketingService, caplog: pytest.LogCaptureFixture
) -> None:
    """A webhook that stays down is tried a bounded number of times, then skipped for the
    cooldown; it is logged without its URL, and every ticket operation succeeds."""
    route = respx.post(SECRET_URL).mock(side_effect=httpx.ConnectError("refused"))
    notifier, clock = _notifier(attempts=3)
    helper = TicketingHelper(ticket_service, notifier=notifier)
    with caplog.at_level(logging.DEBUG):
        ticket = helper.create_agent_task_ticket("ops", "Disk full", priority="critical")
        emergency, room = handle_production_emergency({"summary": "down"}, helper=helper)
        room.update_status("investigating", "looking")
    assert ticket_service.get_ticket(ticket.id).title == "[ops] Disk full"
    assert len(ticket_service.get_children(emergency.id)) == 3
    assert route.call_count == 3
    assert len(clock.sleeps) == 2
    assert notifier.sent == []
    assert len(notifier.failed) == 6
    assert "webhook ops: ticket_created not delivered: ConnectError after 3 attempts" in (
        caplog.text
    )
    assert "canary-secret" not in caplog.text
    assert "canary-secret" not in repr(notifier)
    clock.now += 61
    helper.create_agent_task_ticket("ops", "Disk full again", priority="critical")
    assert route.call_count == 6


@respx.mock
def test_successful_send_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """httpx's own request log line, which holds the URL, is dropped."""
    respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier()
    with caplog.at_level(logging.DEBUG):
        notifier.ticket_created(_ticket())
    assert notifier.sent
    assert "canary-secret" not in caplog.text


@pytest.mark.parametrize("url", ["not a url", "ftp://hooks.example.test/canary-secret", ""])
def test_bad_urls_are_logged_not_raised(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A malformed or unsupported URL, or an unset variable, never raises nor leaks."""
    notifier = Notifier(
        NotifySettings(webhooks=[Webhook(name="ops", url_env="OPS_HOOK")]),
        environ={"OPS_HOOK": url},
        sleep=lambda _: None,
    )
    with caplog.at_level(logging.DEBUG), respx.mock:
        notifier.ticket_created(_ticket())
    assert notifier.sent == []
    assert "webhook ops" in caplog.text
    assert "canary-secret" not in caplog.text


def test_missing_url_env_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """An unset webhook variable is named in a warning and nothing is sent."""
    notifier = Notifier(
        NotifySettings(webhooks=[Webhook(name="ops", url_env="NOPE_HOOK")]), environ={}
    )
    with caplog.at_level(logging.WARNING):
        notifier.ticket_created(_ticket())
    assert "$NOPE_HOOK is not set" in caplog.text


def test_bad_notify_config_is_a_config_error() -> None:
    """A wrong ``[notify]`` key is reported as ``notify.<key>``."""
    with pytest.raises(ConfigError, match=r"notify\.webhooks\.0\.format"):
        load_notifier({"webhooks": [{"name": "x", "url_env": "X", "format": "xml"}]})
    assert not load_notifier({}).enabled


@respx.mock
def test_workflow_events_reach_the_webhook(ticket_service: TicketingService) -> None:
    """Urgent creations, SLA breaches (once) and war-room updates are each announced."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier()
    helper = TicketingHelper(ticket_service, notifier=notifier)
    helper.create_agent_task_ticket("docs", "Fix a typo", priority="medium")
    urgent = helper.create_agent_task_ticket("ops", "Outage", priority="critical")
    later = datetime.now(UTC) + timedelta(hours=5)
    check_sla(helper, now=later)
    check_sla(helper, now=later)
    _emergency, room = handle_production_emergency({"summary": "API down"}, helper=helper)
    room.update_status("mitigated", "rolled back")
    events = [json.loads(c.request.content)["event"] for c in route.calls]
    assert events == ["ticket_created", "sla_breach"] + ["ticket_created"] * 4 + [
        "emergency_update"
    ]
    breach = json.loads(route.calls[1].request.content)
    assert breach["ticket"]["id"] == urgent.id


def test_no_webhook_no_httpx(tmp_path: Path) -> None:
    """Without webhooks, the whole PM layer on the local store never imports httpx."""
    code = (
        "import sys, tempfile\n"
        "from adapters.local_json import LocalJsonService\n"
        "from bridge.workflows import TicketingHelper, handle_production_emergency\n"
        "svc = LocalJsonService(tempfile.mkdtemp())\n"
        "helper = TicketingHelper(svc)\n"
        "helper.create_agent_task_ticket('ops', 'Outage', priority='critical')\n"
        "handle_production_emergency({'summary': 'down'}, helper)[1].update_status('a', 'b')\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=str(tmp_path), check=False
    )
    assert result.returncode == 0, result.stderr
