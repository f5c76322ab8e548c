"""ticket-bridge: one ticketing API over GitHub Issues, Jira and a local JSON store.

from bridge import get_ticketing_service

tickets = get_ticketing_service()           # from ticket-bridge.toml, else ./.tickets
bug = tickets.create_ticket("ImportError in --version", priority="critical", type="bug")
tickets.add_comment(bug.id, "Root cause: circular import", author="research-agent")
tickets.close_ticket(bug.id, resolution="Fixed in PR #123")

``import bridge`` loads the errors only; the models, the contract and the service load on
first use of one of their names, the PM workflow layer (``TicketingHelper``,
``PMOrchestrator``, ...) likewise.
"""

from __future__ import annotations

import os
from pathlib import Path as _Path
from typing import TYPE_CHECKING
from typing import Any as _Any

from bridge._default import installed as _installed
from bridge._version import __version__ as __version__
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

if TYPE_CHECKING:
    from bridge.config import Config
    from bridge.contract import Adapter, Capabilities
    from bridge.factory import Bridge
    from bridge.feed import ChangeFeed
    from bridge.models import (
        Comment,
        Priority,
        Status,
        Ticket,
        TicketChanges,
        TicketDraft,
        TicketPage,
        TicketQuery,
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

__all__ = [
    "Adapter",
    "AgentDelegationContext",
    "AuthError",
    "Bridge",
    "BridgeError",
    "Capabilities",
    "ChangeFeed",
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
    "TicketChanges",
    "TicketDraft",
    "TicketPage",
    "TicketQuery",
    "TicketType",
    "TicketingHelper",
    "TicketingService",
    "TrackerRef",
    "TrackerTimeoutError",
    "TransientError",
    "UnavailableError",
    "UnsupportedError",
    "build_bridge",
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

_WORKFLOW_NAMES = frozenset(
    {
        "AgentDelegationContext",
        "PMOrchestrator",
        "TicketingHelper",
        "create_phased_ticket",
        "delegate_to_available_agent",
        "get_agent_availability",
        "get_feature_progress",
        "handle_production_emergency",
        "track_agent_progress",
        "update_progress",
    }
)


# The core's names load on first use too, so that ``import bridge`` (and with it
# ``ticket-bridge --help``) costs no pydantic: each name and the module that defines it.
_CORE_HOMES = {
    "Adapter": "bridge.contract",
    "Capabilities": "bridge.contract",
    "ChangeFeed": "bridge.feed",
    "TicketingService": "bridge.service",
    **dict.fromkeys(
        (
            "Comment",
            "Priority",
            "Status",
            "Ticket",
            "TicketChanges",
            "TicketDraft",
            "TicketPage",
            "TicketQuery",
            "TicketType",
            "TrackerRef",
        ),
        "bridge.models",
    ),
}


def __getattr__(name: str) -> _Any:
    if name in _CORE_HOMES:
        import importlib

        value = getattr(importlib.import_module(_CORE_HOMES[name]), name)
        globals()[name] = value
        return value
    if name in _WORKFLOW_NAMES:
        import bridge.workflows

        return getattr(bridge.workflows, name)
    if name == "Bridge":
        from bridge.factory import Bridge

        return Bridge
    raise AttributeError(f"module 'bridge' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The discovered configuration (see :mod:`bridge.config`)."""
    from bridge.config import load_config as _load

    return _load(path)


def build_bridge(
    path: str | os.PathLike[str] | None = None, *, tracker: str | None = None
) -> Bridge:
    """The service, notifier and workflow settings of one configuration file."""
    from bridge.factory import build_bridge as _build

    return _build(load_config(path), tracker)


def get_ticketing_service(
    config: str | os.PathLike[str] | None = None, *, tracker: str | None = None
) -> TicketingService:
    """The service built from the discovered configuration (a local store when there is none).

    With no arguments this is the process-wide default, also what
    :meth:`TicketingService.get_instance` returns; ``config`` or ``tracker`` build a new one,
    whose ``[workflows]`` and ``[notify]`` a ``TicketingHelper`` built on it uses.
    """
    if config is None and tracker is None:
        from bridge.service import TicketingService

        return TicketingService.get_instance()
    return build_bridge(config, tracker=tracker).service


class _DefaultService:
    """Answers ``TicketingService.get_instance()`` from the factory's process default."""

    def get(self, config_path: str | _Path | None = None) -> TicketingService:
        from bridge.factory import get_default

        return get_default(config_path).service

    def reset(self) -> None:
        from bridge.factory import reset_default

        reset_default()


_installed[:] = [_DefaultService()]
