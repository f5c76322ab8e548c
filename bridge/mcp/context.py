"""What every tool shares: the service, one lock, error translation and the offline status.

:meth:`ToolContext.run` calls the bridge under the lock (the adapters keep caches that are
not shared between threads), turns a bridge error into an MCP tool error carrying its
message (with any configured secret blanked out), and tells whether the call was queued in
the outbox because the tracker was unreachable, and why.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from bridge.errors import BridgeError, TransientError, UnsupportedError
from bridge.factory import Bridge
from bridge.mcp.paging import compact
from bridge.models import Ticket
from bridge.outbox import Outbox
from bridge.resilience import ResilientService

__all__ = ["Offline", "ToolContext", "respond"]

T = TypeVar("T")
TOKEN_ENV = "TICKET_BRIDGE_MCP_TOKEN"  # noqa: S105 - a variable name, not a secret


def respond(result: BaseModel) -> CallToolResult:
    """``result`` as structured content, with its compact JSON as the text copy."""
    data = result.model_dump(mode="json")
    return CallToolResult(
        content=[TextContent(type="text", text=compact(data))], structured_content=data
    )


@dataclass(frozen=True)
class Offline:
    """How one call went with respect to the tracker."""

    queued: bool
    waiting: int
    warning: str | None

    def reason(self, tracker: str, pending: bool) -> str | None:
        """Why the result is pending, or ``None`` when it is not."""
        if not (pending or self.queued):
            return None
        tail = (
            f"{self.waiting} operation(s) wait in the outbox; they are sent in order once "
            f"{tracker} answers (on a later call or by sync)"
        )
        if self.warning:
            return f"{self.warning}; {tail}"
        if self.queued:
            return f"queued behind earlier operations that have not reached {tracker}; {tail}"
        return f"made while {tracker} was unreachable and not sent yet; {tail}"


class _LastWarning(logging.Handler):
    """Keeps the last warning of the fallback adapter (it says why the tracker was skipped)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.last = record.getMessage()


def _env_names(value: Any) -> set[str]:
    """Every ``*_env`` setting in a dumped configuration section, at any depth."""
    if isinstance(value, list):
        return set().union(*(_env_names(v) for v in value))
    if not isinstance(value, dict):
        return set()
    names = {v for k, v in value.items() if k.endswith("_env") and isinstance(v, str)}
    return names.union(*(_env_names(v) for v in value.values()))


def _secrets(bridge: Bridge) -> list[str]:
    """Values of the environment variables the configuration names for credentials."""
    config = bridge.config
    names = {TOKEN_ENV} | _env_names(config.notify.model_dump())
    for section in config.trackers.values():
        names |= _env_names(section.model_dump())
    values = (os.environ.get(name) for name in names)
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


def describe(exc: BridgeError) -> str:
    """The error's kind and message, as the client sees it."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TransientError):
        text += " (transient: the tracker did not answer; try again later)"
    return text


class ToolContext:
    """The configured bridge and what the tools need around it."""

    def __init__(self, bridge: Bridge, *, secrets: tuple[str, ...] = ()) -> None:
        self.bridge = bridge
        self.service = bridge.service
        self.tracker = bridge.tracker or bridge.service.adapter_name
        self.lock = threading.Lock()
        known = {*_secrets(bridge), *(s for s in secrets if len(s) >= 4)}
        self._secrets = sorted(known, key=len, reverse=True)
        self._warning = _LastWarning()
        logging.getLogger("bridge.resilience.fallback").addHandler(self._warning)
        self.reports: dict[str, dict[str, Any]] = {}

    @property
    def outbox(self) -> Outbox | None:
        service = self.service
        return service.outbox if isinstance(service, ResilientService) else None

    def scrub(self, text: str) -> str:
        """``text`` with every configured secret blanked out."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def fail(self, message: str) -> ToolError:
        return ToolError(self.scrub(message))

    def run(self, call: Callable[[], T]) -> tuple[T, Offline]:
        """``call()`` under the lock; a bridge error becomes the tool's error result."""
        with self.lock:
            outbox = self.outbox
            before = len(outbox) if outbox is not None else 0
            self._warning.last = None
            try:
                value = call()
            except BridgeError as exc:
                raise self.fail(describe(exc)) from exc
            after = len(outbox) if outbox is not None else 0
            return value, Offline(after > before, after, self._warning.last)

    def pending(self, offline: Offline, pending: bool) -> dict[str, Any]:
        """The ``pending`` fields of a result."""
        reason = offline.reason(self.tracker, pending)
        stale = None
        if offline.warning and reason is None:
            said = offline.warning.removesuffix("; working locally and queueing for replay")
            stale = f"{said}; this is the last state seen here"
        return {"pending": reason is not None, "pending_reason": reason, "offline_reason": stale}

    def find_created(self, key: str | None) -> Ticket | None:
        """The ticket an earlier create with idempotency ``key`` made, if any.

        The local fallback store is asked first (a create queued while the tracker was down
        keeps its key there); the tracker after, and an unreachable tracker is no answer.
        """
        if not key:
            return None
        service = self.service
        if isinstance(service, ResilientService) and service.local is not None:
            queued = service.local.find_by_key(key)
            if queued is not None:
                return service.get_ticket(queued.id)
        try:
            return service.find_by_idempotency_key(key)
        except (TransientError, UnsupportedError):
            return None

    def close(self) -> None:
        logging.getLogger("bridge.resilience.fallback").removeHandler(self._warning)
        self.bridge.close()
