"""Configuration of the local JSON store (``type = "local_json"``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bridge.defaults import ID_PREFIX, LOCAL_STORE_DIR

__all__ = ["LocalJsonConfig"]


class LocalJsonConfig(BaseModel):
    """Where the store lives and how it names tickets.

    A relative ``path`` is taken from the directory of the configuration file (the
    ``base_dir`` in the validation context), or from the working directory.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["local_json"] = "local_json"
    path: Path = Path(LOCAL_STORE_DIR)
    id_prefix: str = Field(default=ID_PREFIX, strict=True)
    durable: bool = Field(
        default=False,
        strict=True,
        description="fsync every write: survives power loss, not only a killed process",
    )
    lock_timeout: float = Field(default=30.0, gt=0, le=86_400, strict=True, allow_inf_nan=False)

    @field_validator("path", mode="before")
    @classmethod
    def _a_path(cls, value: object) -> object:
        if isinstance(value, str) and (not value.strip() or "\0" in value):
            raise ValueError("path must name a directory (not empty, no NUL character)")
        return value

    @field_validator("id_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", value):
            raise ValueError("id_prefix must be 1-20 letters and digits, starting with a letter")
        return value

    @field_validator("path")
    @classmethod
    def _relative_to_config(cls, value: Path, info: ValidationInfo) -> Path:
        base = (info.context or {}).get("base_dir")
        value = value.expanduser()
        if not value.is_absolute() and base is not None:
            value = Path(base) / value
        return value
