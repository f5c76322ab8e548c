"""ticket-bridge: one ticketing API over GitHub Issues, Jira and a local JSON store.

from bridge import get_ticketing_service

tickets = get_ticketing_service()           # from ticket-bridge.toml, else ./.tickets
bug = tickets.create_ticket("ImportError in --version", priority="critical", type="bug")
tickets.add_comment(bug.id, "Root cause: circular import", author="research-agent")
tickets.close_ticket(bug.id, resolution="Fixed in PR #123")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bridge.errors import (
    AuthError,
    BridgeError,
    ConfigError,
    ConflictError,
    CorruptDataError,
    InvalidError,
    NotFoundError,
    PermanentError,
    RateLimitedError,
    TrackerTimeoutError,
    TransientError,
    UnavailableError,
    UnsupportedError,
)
from bridge.models import (
    Comment,
    Priority,
    Status,
    Ticket,
    TicketPage,
    TicketType,
    TrackerRef,
)
from bridge.service import TicketingService
from bridge.workflows import (
    AgentDelegationContext,
    PMOrchestrator,
    TicketingHelper,
    create_phased_ticket,
    delegate_to_available_agent,
    get_agent_availability,
    get_feature_progress,
    handle_production_emergency,
    track_agent_progress,
    update_progress,
)

if TYPE_CHECKING:
    from bridge.config import Config

__all__ = [
    "AgentDelegationContext",
    "AuthError",
    "BridgeError",
    "Comment",
    "ConfigError",
    "ConflictError",
    "CorruptDataError",
    "InvalidError",
    "NotFoundError",
    "PMOrchestrator",
    "PermanentError",
    "Priority",
    "RateLimitedError",
    "Status",
    "Ticket",
    "TicketPage",
    "TicketType",
    "TicketingHelper",
    "TicketingService",
    "TrackerRef",
    "TrackerTimeoutError",
    "TransientError",
    "UnavailableError",
    "UnsupportedError",
    "create_phased_ticket",
    "delegate_to_available_agent",
    "get_agent_availability",
    "get_feature_progress",
    "get_ticketing_service",
    "handle_production_emergency",
    "load_config",
    "track_agent_progress",
    "update_progress",
]

__version__ = "0.1.0"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The discovered configuration (see :mod:`bridge.config`)."""
    from bridge.config import load_config as _load

    return _load(path)


def get_ticketing_service(
    config: str | os.PathLike[str] | None = None, *, tracker: str | None = None
) -> TicketingService:
    """The service built from the discovered configuration (a local store when there is none).

    With no arguments this is the process-wide instance of
    :meth:`TicketingService.get_instance`; ``config`` or ``tracker`` build a new one.
    """
    if config is None and tracker is None:
        return TicketingService.get_instance()
    from bridge.config import build_service
    from bridge.config import load_config as _load

    return build_service(_load(config), tracker)
