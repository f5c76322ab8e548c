"""Configuration: TOML validated by pydantic once, at load, every section by its own model.

Discovery order: an explicit path (``--config``), the ``TICKET_BRIDGE_CONFIG`` environment
variable, ``./ticket-bridge.toml``, else a local store in ``./.tickets``. Each
``[trackers.<name>]`` is validated by the model its adapter registers (see
:mod:`bridge.registry`), ``[notify]`` and ``[workflows]`` by theirs. Secrets are never stored
here: a section names the environment variable that holds each one.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bridge.defaults import ID_PREFIX, LOCAL_STORE_DIR, TRACKER_NAME
from bridge.errors import ConfigError
from bridge.notify import NotifySettings
from bridge.registry import config_model
from bridge.retry import RetryPolicy
from bridge.settings import WorkflowSettings
from bridge.validation import describe_config_errors

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FILE",
    "BridgeSection",
    "Config",
    "FallbackPolicy",
    "RetryPolicy",
    "SyncSection",
    "config_error",
    "load_config",
    "parse_config",
    "tracker_section",
]

CONFIG_ENV = "TICKET_BRIDGE_CONFIG"
DEFAULT_FILE = "ticket-bridge.toml"


def _default_trackers() -> dict[str, dict[str, Any]]:
    return {TRACKER_NAME: {"type": "local_json", "path": LOCAL_STORE_DIR, "id_prefix": ID_PREFIX}}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BridgeSection(_Section):
    """``[bridge]``: which ``[trackers.<name>]`` section the service is built from."""

    tracker: str = TRACKER_NAME


class FallbackPolicy(_Section):
    """``[fallback]``: where operations go when the tracker stays unreachable."""

    enabled: bool = True
    store: str = Field(default=TRACKER_NAME, description="a [trackers.<name>] of type local_json")


class SyncSection(_Section):
    """``[sync]``: how a two-way sync settles a field edited on both sides."""

    policy: Literal["newer", "local-wins", "remote-wins"] = "newer"
    overlap_seconds: float | None = Field(
        default=None, ge=0, description="re-read window for clock skew (default: per tracker)"
    )


class Config(_Section):
    """The whole validated configuration, with where it came from."""

    source: Path | None = Field(default=None, exclude=True)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    bridge: BridgeSection = Field(default_factory=BridgeSection)
    trackers: dict[str, SerializeAsAny[BaseModel]] = Field(
        default_factory=_default_trackers, validate_default=True
    )
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    fallback: FallbackPolicy = Field(default_factory=FallbackPolicy)
    sync: SyncSection = Field(default_factory=SyncSection)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    workflows: WorkflowSettings = Field(default_factory=WorkflowSettings)

    @field_validator("trackers", mode="before")
    @classmethod
    def _trackers(cls, value: object, info: ValidationInfo) -> dict[str, BaseModel]:
        if not isinstance(value, dict):
            raise ValueError("must be a table of [trackers.<name>] sections")
        base_dir = info.data.get("base_dir") or Path.cwd()
        sections = {}
        for name, raw in value.items():
            try:
                sections[str(name)] = tracker_section(str(name), raw, base_dir)
            except ConfigError as exc:
                raise ValueError(exc.message) from None
        return sections

    @model_validator(mode="after")
    def _check_names(self) -> Config:
        for key, name in (("bridge.tracker", self.bridge.tracker),) + (
            (("fallback.store", self.fallback.store),) if self.fallback.enabled else ()
        ):
            if name not in self.trackers:
                known = ", ".join(sorted(self.trackers)) or "none"
                raise ValueError(
                    f"{key} is {name!r} but there is no [trackers.{name}] section "
                    f"(sections: {known})"
                )
        store = self.trackers.get(self.fallback.store)
        if self.fallback.enabled and getattr(store, "type", None) != "local_json":
            raise ValueError(
                f"fallback.store: [trackers.{self.fallback.store}] must be of type local_json, "
                f"not {getattr(store, 'type', None)!r}"
            )
        return self

    @property
    def where(self) -> str:
        """The file this came from, for error messages."""
        return str(self.source) if self.source else "the default configuration"

    def tracker_section(self, name: str | None = None) -> tuple[str, BaseModel]:
        """The name and validated section of a tracker (the ``[bridge]`` one by default)."""
        name = name or self.bridge.tracker
        try:
            return name, self.trackers[name]
        except KeyError:
            known = ", ".join(sorted(self.trackers))
            raise ConfigError(
                f"{self.where}: no [trackers.{name}] section (sections: {known})"
            ) from None

    def tracker_type(self, name: str | None = None) -> str:
        """The adapter type of ``[trackers.<name>]``."""
        return str(getattr(self.tracker_section(name)[1], "type", ""))


def tracker_section(name: str, raw: object, base_dir: Path) -> BaseModel:
    """``[trackers.<name>]`` validated by the model its adapter type registers.

    Raises ``ConfigError`` naming each bad ``trackers.<name>.<key>``.
    """
    if isinstance(raw, BaseModel):
        return raw
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise ConfigError(f"trackers.{name}.type is missing: name the adapter type")
    try:
        model = config_model(raw["type"])
    except ConfigError as exc:
        raise ConfigError(f"trackers.{name}.type: {exc.message}") from None
    try:
        return model.model_validate(raw, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError("; ".join(describe_config_errors(exc, f"trackers.{name}"))) from None


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
        return parse_config({}, base_dir=cwd)
    found = found if found.is_absolute() else cwd / found
    try:
        raw = tomllib.loads(found.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {found} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{found}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{found}: cannot be read: {exc.strerror}") from None
    return parse_config(raw, source=found)


def parse_config(
    raw: dict[str, Any], *, source: Path | None = None, base_dir: Path | None = None
) -> Config:
    """Validate an already parsed TOML document."""
    base = base_dir or (source.parent if source else Path.cwd())
    where = str(source) if source else "configuration"
    document = {**raw, "source": source, "base_dir": base}
    trackers = raw.get("trackers", _default_trackers())
    if isinstance(trackers, dict):
        try:
            document["trackers"] = {
                str(name): tracker_section(str(name), section, base)
                for name, section in trackers.items()
            }
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.message}") from None
    try:
        return Config.model_validate(document)
    except ValidationError as exc:
        raise config_error(exc, where) from None


def config_error(exc: ValidationError, where: str, prefix: str = "") -> ConfigError:
    """One ``ConfigError`` naming the file, each bad key and what was expected."""
    return ConfigError(f"{where}: " + "; ".join(describe_config_errors(exc, prefix)))
