"""Stakeholder webhooks: new urgent tickets, SLA breaches and emergency status updates.

Configured in ``[notify]``; each webhook's URL is read from the environment variable it names
(webhook URLs carry secrets), and is never logged. Sent with httpx, imported only when a
webhook is configured. Transient failures (connection errors, 5xx, 429) are retried briefly;
a webhook that stays down is logged and skipped: it never fails the ticket operation, and a
send never takes longer than the configured deadline.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bridge.models import Priority, Ticket

if TYPE_CHECKING:
    import httpx

__all__ = ["Notifier", "NotifyEvent", "NotifySettings", "Webhook", "load_notifier"]

log = logging.getLogger(__name__)


class NotifyEvent(StrEnum):
    """What a webhook can be told about."""

    TICKET_CREATED = "ticket_created"
    SLA_BREACH = "sla_breach"
    EMERGENCY_UPDATE = "emergency_update"


class Webhook(BaseModel):
    """One stakeholder endpoint."""

    model_config = ConfigDict(extra="forbid")

    name: str
    url_env: str = Field(description="the environment variable holding the URL")
    format: Literal["json", "slack"] = "json"
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NotifyEvent))
    min_priority: Priority = Priority.HIGH


class NotifySettings(BaseModel):
    """``[notify]``: the webhooks and how hard to try each send."""

    model_config = ConfigDict(extra="forbid")

    webhooks: list[Webhook] = Field(default_factory=list)
    attempts: int = Field(default=3, ge=1, le=10)
    timeout: float = Field(default=3.0, gt=0, description="per request, seconds")
    max_wait: float = Field(default=2.0, ge=0, description="cap on a wait between attempts")
    deadline: float = Field(default=8.0, gt=0, description="cap on one send, seconds")


class _Redact(logging.Filter):
    """Drops library log records that would print a webhook URL."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(secret in message for secret in self.secrets)


class Notifier:
    """Sends events to the configured webhooks; every method returns, whatever happens."""

    def __init__(
        self,
        settings: NotifySettings | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        client: httpx.Client | None = None,
    ) -> None:
        self.settings = settings or NotifySettings()
        self._environ = os.environ if environ is None else environ
        self._sleep = sleep
        self._client = client
        self.sent: list[tuple[str, NotifyEvent]] = []

    @property
    def enabled(self) -> bool:
        return bool(self.settings.webhooks)

    # ------------------------------------------------------------ events

    def ticket_created(self, ticket: Ticket) -> None:
        """A new ticket; sent to webhooks whose ``min_priority`` it reaches."""
        text = (
            f":rotating_light: New {ticket.priority.value} ticket {ticket.id}: {ticket.title}"
            f" (assignee: {ticket.assignee or 'none'})"
        )
        self._send(NotifyEvent.TICKET_CREATED, ticket, text, {})

    def sla_breach(self, ticket: Ticket, due_at: str) -> None:
        """A ticket passed its SLA due time while still open."""
        text = f":hourglass: SLA breached on {ticket.id} ({ticket.priority.value}): due {due_at}"
        self._send(NotifyEvent.SLA_BREACH, ticket, text, {"due_at": due_at})

    def emergency_update(self, ticket: Ticket, status: str, details: str) -> None:
        """A status update in an emergency's war room."""
        text = f":fire: {ticket.id} STATUS UPDATE: {status}\n{details}"
        self._send(
            NotifyEvent.EMERGENCY_UPDATE, ticket, text, {"status": status, "details": details}
        )

    # ------------------------------------------------------------ sending

    def _send(self, event: NotifyEvent, ticket: Ticket, text: str, extra: dict[str, Any]) -> None:
        for hook in self.settings.webhooks:
            if event not in hook.events:
                continue
            if (
                event is NotifyEvent.TICKET_CREATED
                and ticket.priority.rank < hook.min_priority.rank
            ):
                continue
            url = self._environ.get(hook.url_env)
            if not url:
                log.warning("webhook %s: $%s is not set; not sent", hook.name, hook.url_env)
                continue
            if hook.format == "slack":
                body: dict[str, Any] = {"text": text}
            else:
                body = {
                    "event": event.value,
                    "ticket": ticket.model_dump(mode="json"),
                    "text": text,
                    **extra,
                }
            if self._post(hook, url, body):
                self.sent.append((hook.name, event))

    def _post(self, hook: Webhook, url: str, body: dict[str, Any]) -> bool:
        import httpx
        from tenacity import (
            RetryError,
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
            stop_before_delay,
        )

        from bridge import __version__

        class _Retry(Exception):
            def __init__(self, reason: str, wait: float | None = None) -> None:
                super().__init__(reason)
                self.wait = wait

        redact = _Redact([url])
        httpx_log = logging.getLogger("httpx")
        httpx_log.addFilter(redact)
        client = self._client or httpx.Client(timeout=self.settings.timeout)
        headers = {"User-Agent": f"ticket-bridge/{__version__}"}

        def wait(state: Any) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Retry) and exc.wait is not None:
                return min(exc.wait, self.settings.max_wait)
            return float(min(0.25 * 2 ** (state.attempt_number - 1), self.settings.max_wait))

        def attempt() -> None:
            try:
                response = client.post(url, json=body, headers=headers)
            except httpx.TransportError as exc:
                raise _Retry(type(exc).__name__) from None
            if response.status_code == 429 or response.status_code >= 500:
                raw = response.headers.get("Retry-After")
                after = float(raw) if raw and raw.isdigit() else None
                raise _Retry(f"HTTP {response.status_code}", after)
            if response.status_code >= 400:
                raise ValueError(f"HTTP {response.status_code}")

        try:
            for state in Retrying(
                stop=stop_after_attempt(self.settings.attempts)
                | stop_before_delay(self.settings.deadline),
                wait=wait,
                retry=retry_if_exception_type(_Retry),
                sleep=self._sleep,
            ):
                with state:
                    attempt()
            return True
        except (RetryError, ValueError) as exc:
            reason = exc.last_attempt.exception() if isinstance(exc, RetryError) else exc
            log.warning("webhook %s failed, not delivered: %s", hook.name, reason)
            return False
        finally:
            httpx_log.removeFilter(redact)
            if self._client is None:
                client.close()


def load_notifier(raw: dict[str, Any] | None = None) -> Notifier:
    """The notifier of a raw ``[notify]`` table (the discovered config's by default)."""
    if raw is None:
        from bridge.config import load_config

        raw = load_config().notify
    return Notifier(NotifySettings.model_validate(raw))
