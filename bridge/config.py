"""Configuration: TOML validated by pydantic, discovered the same way by the CLI and library.

Discovery order: an explicit path (``--config``), the ``TICKET_BRIDGE_CONFIG`` environment
variable, ``./ticket-bridge.toml``, else a local store in ``./.tickets``. Secrets are never
stored here: a section names the environment variable that holds each one.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bridge.errors import ConfigError
from bridge.retry import RetryPolicy

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FILE",
    "BridgeSection",
    "Config",
    "FallbackPolicy",
    "RetryPolicy",
    "build_service",
    "load_config",
]

CONFIG_ENV = "TICKET_BRIDGE_CONFIG"
DEFAULT_FILE = "ticket-bridge.toml"
DEFAULT_TRACKERS: dict[str, dict[str, Any]] = {
    "local": {"type": "local_json", "path": ".tickets", "id_prefix": "CLAUDE"}
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BridgeSection(_Section):
    """``[bridge]``: which ``[trackers.<name>]`` section the service is built from."""

    tracker: str = "local"


class FallbackPolicy(_Section):
    """``[fallback]``: where operations go when the tracker stays unreachable."""

    enabled: bool = True
    store: str = Field(default="local", description="a [trackers.<name>] of type local_json")


class SyncSection(_Section):
    """``[sync]``: how a two-way sync settles a field edited on both sides."""

    policy: Literal["newer", "local-wins", "remote-wins"] = "newer"
    overlap_seconds: float | None = Field(
        default=None, ge=0, description="re-read window for clock skew (default: per tracker)"
    )


class Config(_Section):
    """The whole validated configuration, with where it came from."""

    bridge: BridgeSection = Field(default_factory=BridgeSection)
    trackers: dict[str, dict[str, Any]] = Field(default_factory=lambda: dict(DEFAULT_TRACKERS))
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    fallback: FallbackPolicy = Field(default_factory=FallbackPolicy)
    sync: SyncSection = Field(default_factory=SyncSection)
    notify: dict[str, Any] = Field(default_factory=dict)
    workflows: dict[str, Any] = Field(default_factory=dict)
    source: Path | None = Field(default=None, exclude=True)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @model_validator(mode="after")
    def _check_trackers(self) -> Config:
        for name, section in self.trackers.items():
            if not isinstance(section.get("type"), str):
                raise ValueError(f"trackers.{name}.type is missing: name the adapter type")
        if self.bridge.tracker not in self.trackers:
            known = ", ".join(sorted(self.trackers)) or "none"
            raise ValueError(
                f"bridge.tracker is {self.bridge.tracker!r} but there is no "
                f"[trackers.{self.bridge.tracker}] section (sections: {known})"
            )
        return self

    @property
    def where(self) -> str:
        """The file this came from, for error messages."""
        return str(self.source) if self.source else "the default configuration"

    def tracker_section(self, name: str | None = None) -> tuple[str, dict[str, Any]]:
        """The name and raw section of a tracker (the ``[bridge]`` one by default)."""
        name = name or self.bridge.tracker
        try:
            return name, self.trackers[name]
        except KeyError:
            known = ", ".join(sorted(self.trackers))
            raise ConfigError(
                f"{self.where}: no [trackers.{name}] section (sections: {known})"
            ) from None


def _discover(path: str | os.PathLike[str] | None, cwd: Path) -> Path | None:
    if path is not None:
        return Path(path)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    candidate = cwd / DEFAULT_FILE
    return candidate if candidate.is_file() else None


def load_config(path: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> Config:
    """Find, read and validate the configuration; raise ``ConfigError`` naming what is wrong."""
    cwd = cwd or Path.cwd()
    found = _discover(path, cwd)
    if found is None:
        return Config(base_dir=cwd)
    found = found if found.is_absolute() else cwd / found
    try:
        raw = tomllib.loads(found.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {found} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{found}: cannot be read: {exc.strerror}") from None
    return parse_config(raw, source=found)


def parse_config(raw: dict[str, Any], *, source: Path | None = None) -> Config:
    """Validate an already parsed TOML document."""
    base_dir = source.parent if source else Path.cwd()
    try:
        return Config.model_validate({**raw, "source": source, "base_dir": base_dir})
    except ValidationError as exc:
        raise config_error(exc, str(source) if source else "configuration") from None


def config_error(exc: ValidationError, where: str, prefix: str = "") -> ConfigError:
    """One ``ConfigError`` naming the file, each bad key and what was expected."""
    problems = []
    head = prefix.split(".") if prefix else []
    for err in exc.errors(include_url=False):
        key = ".".join(str(p) for p in (*head, *err["loc"]))
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif "input" in err and err["type"] != "missing" and not isinstance(err["input"], dict):
            message += f" (got {err['input']!r})"
        problems.append(f"{key}: {message}" if key else message)
    return ConfigError(f"{where}: " + "; ".join(problems))


def build_service(config: Config, tracker: str | None = None) -> TicketingService:
    """The service for ``tracker`` (default: ``[bridge] tracker``), ready to use."""
    from bridge.registry import create_adapter

    name, section = config.tracker_section(tracker)
    service = create_adapter(name, config)
    if section["type"] == "local_json":
        return service
    from bridge.resilience import ResilientService

    if not config.fallback.enabled:
        return ResilientService(service, policy=config.retry)
    from bridge.outbox import Outbox

    store_name, store_section = config.tracker_section(config.fallback.store)
    if store_section["type"] != "local_json":
        raise ConfigError(
            f"{config.where}: fallback.store: [trackers.{store_name}] must be of type "
            f"local_json, not {store_section['type']!r}"
        )
    local = create_adapter(store_name, config)
    root = getattr(local, "root", config.base_dir / ".tickets")
    outbox = Outbox(root / f"outbox-{name}.sqlite3")
    return ResilientService(service, policy=config.retry, local=local, outbox=outbox)
