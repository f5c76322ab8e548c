"""One Jira field as create metadata describes it, in the shape the adapter reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bridge.fields import FieldInfo

__all__ = ["EPIC_NAME", "FieldMeta", "looks_like_id"]

EPIC_NAME = "com.pyxis.greenhopper.jira:gh-epic-label"
_ID = re.compile(r"customfield_\d+|[a-z][A-Za-z0-9]*")


def looks_like_id(target: str) -> bool:
    """A field id (``customfield_10016``, ``components``) rather than a name (``Story Points``)."""
    return _ID.fullmatch(target) is not None


@dataclass(frozen=True)
class FieldMeta:
    """One field of one issue type: its id, name, schema, and what a create must give."""

    id: str
    name: str
    type: str  # the schema's type: string, number, option, array, date, user, ...
    items: str | None = None  # what an array holds: option, component, version, string, user
    custom: str | None = None  # a custom field's plugin type
    required: bool = False
    has_default: bool = False
    allowed: tuple[str, ...] = ()

    @classmethod
    def of(cls, field_id: str, raw: dict[str, Any]) -> FieldMeta:
        """From a checked createmeta (or site field list) entry."""
        schema = raw.get("schema") or {"type": "any"}
        allowed = []
        for value in raw.get("allowedValues") or []:
            if isinstance(value, dict):
                shown = value.get("value", value.get("name"))
                if isinstance(shown, str):
                    allowed.append(shown)
        return cls(
            id=field_id,
            name=str(raw.get("name") or field_id),
            type=str(schema.get("type") or "any"),
            items=schema.get("items"),
            custom=schema.get("custom"),
            required=bool(raw.get("required", False)),
            has_default=bool(raw.get("hasDefaultValue", False)),
            allowed=tuple(allowed),
        )

    @property
    def neutral_type(self) -> str:
        """The neutral schema type :class:`~bridge.fields.FieldInfo` names."""
        if self.type == "string":
            multi = (self.custom or "").endswith(":textarea") or self.id in ("description",)
            return "text" if multi else "string"
        if self.type in ("option", "priority", "issuetype", "resolution"):
            return "option"
        if self.type == "array":
            if self.items in ("option", "component", "version"):
                return "options"
            return f"array of {self.items or 'any'}"
        return self.type

    def info(self, issue_type: str) -> FieldInfo:
        return FieldInfo(
            name=self.name,
            id=self.id,
            type=self.neutral_type,
            required=self.required and not self.has_default,
            allowed_values=self.allowed,
            issue_type=issue_type,
        )
