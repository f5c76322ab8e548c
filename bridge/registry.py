"""Adapter type -> class, imported only when used.

Built-in types are ``local_json``, ``github`` and ``jira``; other packages add theirs through
the ``ticket_bridge.adapters`` entry-point group. Using the local store never imports PyGithub,
jira or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol, cast

from pydantic import BaseModel, ValidationError

from bridge.errors import ConfigError, UnsupportedError

if TYPE_CHECKING:
    from bridge.config import Config
    from bridge.service import TicketingService

__all__ = ["ENTRY_POINT_GROUP", "adapter_class", "available_types", "create_adapter"]

ENTRY_POINT_GROUP = "ticket_bridge.adapters"

_BUILTIN: dict[str, tuple[str, str, str | None]] = {
    "local_json": ("adapters.local_json", "LocalJsonService", None),
    "github": ("adapters.github", "GitHubService", "github"),
    "jira": ("adapters.jira", "JiraService", "jira"),
}


class AdapterClass(Protocol):
    """What the registry needs of an adapter class."""

    Config: type[BaseModel]

    def from_config(self, config: Any) -> TicketingService: ...


def available_types() -> list[str]:
    """Every adapter type: built in, then from entry points."""
    from importlib.metadata import entry_points

    extra = [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted({*_BUILTIN, *extra})


def adapter_class(type_name: str) -> AdapterClass:
    """Import and return the adapter class for ``type_name``."""
    if type_name in _BUILTIN:
        module_name, attr, extra = _BUILTIN[type_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if extra and exc.name and not exc.name.startswith(module_name):
                raise UnsupportedError(
                    f"the {type_name} adapter needs {exc.name!r}, which is not installed: "
                    f"pip install 'ticket-bridge[{extra}]'",
                    adapter=type_name,
                ) from None
            raise
        return cast("AdapterClass", getattr(module, attr))
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP, name=type_name):
        return cast("AdapterClass", ep.load())
    raise ConfigError(
        f"unknown tracker type {type_name!r}: expected one of {', '.join(available_types())}"
    )


def create_adapter(name: str, config: Config) -> TicketingService:
    """Validate ``[trackers.<name>]`` with its adapter's own model and build the adapter."""
    from bridge.config import config_error

    _, section = config.tracker_section(name)
    try:
        cls = adapter_class(str(section["type"]))
    except ConfigError as exc:
        raise ConfigError(f"{config.where}: trackers.{name}.type: {exc.message}") from None
    try:
        validated = cls.Config.model_validate(section, context={"base_dir": config.base_dir})
    except ValidationError as exc:
        raise config_error(exc, config.where, prefix=f"trackers.{name}") from None
    return cls.from_config(validated)
