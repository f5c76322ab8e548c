"""Adapter type -> adapter class and config model, imported only when used.

Built-in types are ``local_json``, ``github`` and ``jira``; other packages add theirs through
the ``ticket_bridge.adapters`` entry-point group: an :class:`~bridge.contract.Adapter`
subclass with a ``Config`` model (a pydantic model with a ``type`` field) and a
``from_config(config)`` classmethod. Validating a configuration imports only the config
models; the local store never imports PyGithub, jira or httpx.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from typing import Any, Protocol, cast

from pydantic import BaseModel

from bridge.contract import Adapter
from bridge.errors import ConfigError, UnsupportedError

__all__ = ["ENTRY_POINT_GROUP", "AdapterClass", "adapter_class", "available_types", "config_model"]

ENTRY_POINT_GROUP = "ticket_bridge.adapters"

# type -> (module, adapter class, config module, config class, extra that installs it)
_BUILTIN: dict[str, tuple[str, str, str, str, str | None]] = {
    "local_json": (
        "adapters.local_json._adapter",
        "LocalJsonAdapter",
        "adapters.local_json._config",
        "LocalJsonConfig",
        None,
    ),
    "github": (
        "adapters.github._adapter",
        "GitHubAdapter",
        "adapters.github._config",
        "GitHubConfig",
        "github",
    ),
    "jira": (
        "adapters.jira._adapter",
        "JiraAdapter",
        "adapters.jira._config",
        "JiraConfig",
        "jira",
    ),
}


class AdapterClass(Protocol):
    """What the registry needs of an adapter class."""

    Config: type[BaseModel]

    def from_config(self, config: Any) -> Adapter: ...


def available_types() -> list[str]:
    """Every adapter type: built in, then from entry points."""
    extra = [ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)]
    return sorted({*_BUILTIN, *extra})


def _import(module_name: str, type_name: str, extra: str | None) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if extra and exc.name and not exc.name.startswith(("adapters", "bridge")):
            raise UnsupportedError(
                f"the {type_name} adapter needs {exc.name!r}, which is not installed: "
                f"pip install 'ticket-bridge[{extra}]'",
                adapter=type_name,
            ) from None
        raise


def _unknown(type_name: str) -> ConfigError:
    return ConfigError(
        f"unknown tracker type {type_name!r}: expected one of {', '.join(available_types())}"
    )


def adapter_class(type_name: str) -> AdapterClass:
    """Import and return the adapter class for ``type_name``."""
    if type_name in _BUILTIN:
        module_name, attr, _, _, extra = _BUILTIN[type_name]
        return cast("AdapterClass", getattr(_import(module_name, type_name, extra), attr))
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP, name=type_name):
        return cast("AdapterClass", ep.load())
    raise _unknown(type_name)


def config_model(type_name: str) -> type[BaseModel]:
    """The model that validates a ``[trackers.<name>]`` section of type ``type_name``."""
    if type_name in _BUILTIN:
        _, _, module_name, attr, _ = _BUILTIN[type_name]
        return cast("type[BaseModel]", getattr(importlib.import_module(module_name), attr))
    return adapter_class(type_name).Config
