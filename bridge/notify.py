"""Stakeholder webhooks: new urgent tickets, SLA breaches and emergency status updates.

```toml
[notify]
attempts = 3          # per send
timeout = 2.0         # seconds per request
deadline = 5.0        # seconds per send, waits and requests included

[[notify.webhooks]]
name = "oncall"
url_env = "ONCALL_WEBHOOK_URL"   # the URL (it carries a secret) is read from this variable
format = "slack"                 # {"text": ...}; "json" sends the event and the ticket
min_priority = "high"            # new tickets at or above this are announced
events = ["ticket_created", "sla_breach", "emergency_update"]
```

Sent with httpx (the ``notify`` extra), imported only when a webhook is configured.
Connection errors, timeouts, 5xx and 429 (honouring ``Retry-After``, capped) are retried
with tenacity within the deadline. A webhook that stays down is logged, by its name and
never its URL, and skipped for ``cooldown`` seconds: a send never raises and never outlasts
``deadline``, and a dead endpoint does not slow every following ticket operation.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bridge.errors import ConfigError, RateLimitedError, TransientError, UnavailableError
from bridge.models import Priority, Ticket
from bridge.retry import RetryPolicy, parse_retry_after, retrying
from bridge.validation import describe_config_errors

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

    name: str = Field(min_length=1)
    url_env: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the environment variable with the URL"
    )
    format: Literal["json", "slack"] = "json"
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NotifyEvent))
    min_priority: Priority = Field(
        default=Priority.HIGH, description="new tickets at or above this are announced"
    )


class NotifySettings(BaseModel):
    """``[notify]``: the webhooks and how hard to try each send."""

    model_config = ConfigDict(extra="forbid")

    webhooks: list[Webhook] = Field(default_factory=list)
    attempts: int = Field(default=3, ge=1, le=10)
    timeout: float = Field(default=2.0, gt=0, le=30, description="per request, seconds")
    backoff: float = Field(default=0.25, ge=0, description="first wait; doubles each retry")
    max_wait: float = Field(default=2.0, ge=0, description="cap on any one wait")
    deadline: float = Field(default=5.0, gt=0, le=60, description="cap on one send, seconds")
    cooldown: float = Field(
        default=60.0, ge=0, description="after a failed send, skip that webhook this long"
    )

    def retry_policy(self) -> RetryPolicy:
        """One send's retries as a policy: waits of exactly ``backoff``, doubling, no jitter."""
        # Validated above already; built unvalidated because ``max_wait = 0`` (never wait)
        # is allowed here and not in ``[retry]``.
        return RetryPolicy.model_construct(
            attempts=self.attempts,
            initial_wait=self.backoff,
            max_wait=self.max_wait,
            deadline=self.deadline,
            jitter=0.0,
        )


class _Permanent(Exception):
    """A send that retrying cannot help: a 4xx, a bad URL, no time left."""


class _Redact(logging.Filter):
    """Drops library log records that would print a webhook URL."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        return self.secret not in record.getMessage()


def _ticket_summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "title": ticket.title,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "type": ticket.type.value,
        "assignee": ticket.assignee,
        "parent_id": ticket.parent_id,
        "url": ticket.tracker.url if ticket.tracker else None,
    }


class Notifier:
    """Sends events to the configured webhooks; every method returns, whatever happens.

    ``sleep`` and ``clock`` are injectable so tests never wait; ``client`` is an optional
    ready ``httpx.Client`` (otherwise one is opened per send).
    """

    def __init__(
        self,
        settings: NotifySettings | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
    ) -> None:
        self.settings = settings or NotifySettings()
        self._environ = os.environ if environ is None else environ
        self._sleep = sleep
        self._clock = clock
        self._client = client
        self._rng = random.Random()
        self.sent: list[tuple[str, NotifyEvent]] = []
        self.failed: list[tuple[str, NotifyEvent]] = []
        self._down_until: dict[str, float] = {}

    @property
    def enabled(self) -> bool:
        """True when at least one webhook is configured."""
        return bool(self.settings.webhooks)

    def __repr__(self) -> str:
        names = ", ".join(h.name for h in self.settings.webhooks) or "no webhooks"
        return f"<Notifier {names}>"

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
                    "source": "ticket-bridge",
                    "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "text": text,
                    "ticket": _ticket_summary(ticket),
                    **extra,
                }
            if self._clock() < self._down_until.get(hook.name, float("-inf")):
                self.failed.append((hook.name, event))
                log.warning("webhook %s: down, %s not sent", hook.name, event.value)
                continue
            try:
                reason = self._post(url, body)
            except Exception as exc:  # a webhook must never fail a ticket operation
                reason = type(exc).__name__
            if reason is None:
                self._down_until.pop(hook.name, None)
                self.sent.append((hook.name, event))
            else:
                # A dead endpoint costs one deadline per cooldown, not one per ticket.
                self._down_until[hook.name] = self._clock() + self.settings.cooldown
                self.failed.append((hook.name, event))
                log.warning(
                    "webhook %s: %s not delivered: %s; skipping it for %gs",
                    hook.name,
                    event.value,
                    reason,
                    self.settings.cooldown,
                )

    def _post(self, url: str, body: dict[str, Any]) -> str | None:
        """POST ``body``; None when delivered, else why not (never the URL)."""
        try:
            import httpx
        except ImportError:
            return "httpx is not installed (pip install 'ticket-bridge[notify]')"
        redact = _Redact(url)
        library_log = logging.getLogger("httpx")
        library_log.addFilter(redact)
        client = self._client or httpx.Client(timeout=self.settings.timeout)
        try:
            return self._deliver(client, url, body)
        finally:
            library_log.removeFilter(redact)
            if self._client is None:
                client.close()

    def _deliver(self, client: httpx.Client, url: str, body: dict[str, Any]) -> str | None:
        """Send with retries within the deadline; None when delivered, else why not."""
        start = self._clock()
        tries = 0
        loop = retrying(
            self.settings.retry_policy(), sleep=self._sleep, rng=self._rng, clock=self._clock
        )
        try:
            for attempt in loop:
                with attempt:
                    tries = attempt.retry_state.attempt_number
                    self._attempt(client, url, body, start)
        except TransientError as exc:
            return f"{exc} after {tries} attempts"
        except _Permanent as exc:
            return str(exc)
        return None

    def _attempt(self, client: httpx.Client, url: str, body: dict[str, Any], start: float) -> None:
        """One request, given what is left of the deadline; raises why it failed."""
        import httpx

        from bridge._version import __version__

        settings = self.settings
        timeout = min(settings.timeout, settings.deadline - (self._clock() - start))
        if timeout <= 0:
            raise _Permanent("deadline reached")
        headers = {"User-Agent": f"ticket-bridge/{__version__}"}
        try:
            response = client.post(url, json=body, headers=headers, timeout=timeout)
        except httpx.UnsupportedProtocol:
            raise _Permanent("unsupported URL scheme") from None
        except httpx.TransportError as exc:
            raise UnavailableError(type(exc).__name__) from None
        status = response.status_code
        if status == 429 or status >= 500:
            # A Retry-After, on a 429 or a 503, is the endpoint asking to wait that long.
            after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429 or after is not None:
                raise RateLimitedError(f"HTTP {status}", retry_after=after)
            raise UnavailableError(f"HTTP {status}")
        if status >= 400:
            raise _Permanent(f"HTTP {status}")


def load_notifier(raw: dict[str, Any] | None = None) -> Notifier:
    """The notifier of a raw ``[notify]`` table (sends nothing when ``None``).

    Raises ``ConfigError`` naming each bad ``notify.<key>``.
    """
    try:
        return Notifier(NotifySettings.model_validate(raw or {}))
    except ValidationError as exc:
        raise ConfigError(
            "configuration: " + "; ".join(describe_config_errors(exc, "notify"))
        ) from None
