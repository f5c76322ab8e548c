"""One validated :class:`~bridge.config.Config` in, everything a program needs out.

:func:`build_bridge` makes a :class:`Bridge`: the service for a tracker (wrapped in retry and
fallback for a remote tracker), the notifier and the workflow settings, all from the same
configuration. The process default (what ``get_ticketing_service()`` and
``TicketingService.get_instance()`` return) is one ``Bridge``, with get / set / reset::

    bridge = build_bridge(load_config("elsewhere/ticket-bridge.toml"))
    helper = TicketingHelper(bridge.service)   # takes [workflows] from that file
"""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bridge.config import Config, load_config
from bridge.contract import Adapter
from bridge.errors import ConfigError
from bridge.notify import Notifier
from bridge.outbox import Outbox
from bridge.registry import adapter_class
from bridge.resilience import ResilientService
from bridge.service import TicketingService
from bridge.settings import WorkflowSettings

__all__ = [
    "Bridge",
    "bridge_for",
    "bridge_of",
    "build_adapter",
    "build_bridge",
    "build_service",
    "get_default",
    "reset_default",
    "set_default",
]

_BRIDGES: weakref.WeakKeyDictionary[TicketingService, Bridge] = weakref.WeakKeyDictionary()


@dataclass
class Bridge:
    """The service of one tracker and the settings that go with it, from one ``Config``."""

    config: Config
    service: TicketingService
    tracker: str = field(default="")

    def __post_init__(self) -> None:
        _BRIDGES[self.service] = self

    @property
    def settings(self) -> WorkflowSettings:
        """The ``[workflows]`` settings."""
        return self.config.workflows

    @cached_property
    def notifier(self) -> Notifier:
        """The stakeholder notifier of ``[notify]`` (sends nothing when none is set)."""
        return Notifier(self.config.notify)

    def close(self) -> None:
        """Release the service's connections and files."""
        self.service.close()


def bridge_of(service: TicketingService) -> Bridge | None:
    """The bridge that built ``service``, or ``None`` for a service made by hand."""
    return _BRIDGES.get(service)


def bridge_for(service: TicketingService) -> Bridge:
    """The bridge that built ``service``; for a service made by hand, one with the default
    settings (nothing is discovered)."""
    return _BRIDGES.get(service) or Bridge(config=Config(), service=service)


def build_adapter(config: Config, tracker: str | None = None) -> Adapter:
    """The bare adapter of ``[trackers.<tracker>]`` (no retry, no fallback)."""
    _, section = config.tracker_section(tracker)
    cls = adapter_class(config.tracker_type(tracker))
    return cls.from_config(section)


def store_root(adapter: Adapter, config: Config) -> Path:
    """Where a local store keeps its files (outbox and sync state live beside them)."""
    root = getattr(adapter, "root", None)
    return root if isinstance(root, Path) else config.base_dir / ".tickets"


def build_service(config: Config, tracker: str | None = None) -> TicketingService:
    """The service for ``tracker`` (default: ``[bridge] tracker``), ready to use."""
    name, _ = config.tracker_section(tracker)
    adapter = build_adapter(config, name)
    if config.tracker_type(name) == "local_json":
        return TicketingService(adapter)
    if not config.fallback.enabled:
        return ResilientService(adapter, policy=config.retry)
    store_name = config.fallback.store
    if config.tracker_type(store_name) != "local_json":  # pragma: no cover - checked at load
        raise ConfigError(f"{config.where}: fallback.store must name a local_json tracker")
    local = build_adapter(config, store_name)
    outbox = Outbox(store_root(local, config) / f"outbox-{name}.sqlite3")
    return ResilientService(adapter, policy=config.retry, local=local, outbox=outbox)


def build_bridge(config: Config, tracker: str | None = None) -> Bridge:
    """A :class:`Bridge` for ``tracker`` (default: ``[bridge] tracker``)."""
    name, _ = config.tracker_section(tracker)
    return Bridge(config=config, service=build_service(config, name), tracker=name)


# ---------------------------------------------------------------- the process default

_default: Bridge | None = None
_lock = threading.Lock()


def get_default(config_path: str | os.PathLike[str] | None = None) -> Bridge:
    """The process-wide bridge, built from the discovered configuration on first use."""
    global _default  # noqa: PLW0603 - the process default is this module's one state
    with _lock:
        if _default is None:
            _default = build_bridge(load_config(config_path))
        return _default


def set_default(value: Bridge | TicketingService) -> Bridge:
    """Make ``value`` the process default (a bare service gets the default settings)."""
    global _default  # noqa: PLW0603
    bridge = value if isinstance(value, Bridge) else bridge_for(value)
    with _lock:
        _default = bridge
    return bridge


def reset_default() -> None:
    """Forget the process default; the next :func:`get_default` builds a new one."""
    global _default  # noqa: PLW0603
    with _lock:
        _default = None
