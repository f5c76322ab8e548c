"""Stakeholder webhooks, tested with respx: payloads, headers, retries, a dead endpoint."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import respx

from bridge.models import Ticket
from bridge.notify import Notifier, NotifySettings, Webhook
from bridge.service import TicketingService
from bridge.workflows import TicketingHelper, handle_production_emergency

SECRET_URL = "https://hooks.example.test/services/T000/B000/canary-secret-xyz"
ENV = {"OPS_HOOK": SECRET_URL}


def _notifier(fmt: str = "json", **kwargs: object) -> tuple[Notifier, list[float]]:
    sleeps: list[float] = []
    settings = NotifySettings(
        webhooks=[Webhook(name="ops", url_env="OPS_HOOK", format=fmt)],  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    return Notifier(settings, environ=ENV, sleep=sleeps.append), sleeps


def _ticket(priority: str = "critical") -> Ticket:
    return Ticket(id="CLAUDE-1", title="DB down", priority=priority, assignee="ops")  # type: ignore[arg-type]


@respx.mock
def test_json_payload_and_headers_for_a_new_urgent_ticket() -> None:
    """A critical ticket is posted as JSON with the event, the ticket and a text line."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier()
    notifier.ticket_created(_ticket())
    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["event"] == "ticket_created"
    assert body["ticket"]["id"] == "CLAUDE-1"
    assert body["ticket"]["priority"] == "critical"
    assert "DB down" in body["text"]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("ticket-bridge/")


@respx.mock
def test_below_min_priority_is_not_sent() -> None:
    """A medium ticket does not reach a webhook that starts at high."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier()
    notifier.ticket_created(_ticket("medium"))
    assert route.call_count == 0


@respx.mock
def test_slack_form_for_sla_breach_and_emergency() -> None:
    """Slack-compatible webhooks get a ``text`` field only."""
    route = respx.post(SECRET_URL).mock(return_value=httpx.Response(200))
    notifier, _ = _notifier("slack")
    notifier.sla_breach(_ticket(), "2026-01-01T00:00:00+00:00")
    notifier.emergency_update(_ticket(), "mitigated", "pool raised")
    first, second = (json.loads(c.request.content) for c in route.calls)
    assert set(first) == {"text"}
    assert "SLA breached on CLAUDE-1" in first["text"]
    assert "STATUS UPDATE: mitigated" in second["text"]


@respx.mock
def test_retries_on_5xx_and_429_honouring_retry_after() -> None:
    """503 then 429 (Retry-After: 1) then 200: three requests, the waits recorded."""
    route = respx.post(SECRET_URL).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(200),
        ]
    )
    notifier, sleeps = _notifier()
    notifier.ticket_created(_ticket())
    assert route.call_count == 3
    assert sleeps == [0.25, 1.0]
    assert notifier.sent == [("ops", "ticket_created")]


@respx.mock
def test_dead_webhook_never_fails_the_ticket_operation(
    ticket_service: TicketingService, caplog: pytest.LogCaptureFixture
) -> None:
    """A webhook that stays down is retried a bounded number of times, logged without its
    URL, and the ticket is created anyway."""
    route = respx.post(SECRET_URL).mock(side_effect=httpx.ConnectError("refused"))
    notifier, sleeps = _notifier(attempts=3)
    helper = TicketingHelper(ticket_service, notifier=notifier)
    with caplog.at_level(logging.DEBUG):
        ticket = helper.create_agent_task_ticket("ops", "Disk full", priority="critical")
        _emergency, room = handle_production_emergency({"summary": "down"}, helper=helper)
        room.update_status("investigating", "looking")
    assert ticket_service.get_ticket(ticket.id).title == "[ops] Disk full"
    assert route.call_count >= 3
    assert len(sleeps) <= 2 * route.call_count
    assert notifier.sent == []
    assert "webhook ops failed" in caplog.text
    assert "canary-secret" not in caplog.text
    assert "canary-secret" not in repr(notifier.settings)


def test_missing_url_env_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """An unset webhook variable is named in a warning and nothing is sent."""
    notifier = Notifier(
        NotifySettings(webhooks=[Webhook(name="ops", url_env="NOPE_HOOK")]), environ={}
    )
    with caplog.at_level(logging.WARNING):
        notifier.ticket_created(_ticket())
    assert "$NOPE_HOOK is not set" in caplog.text
