"""Neutral metadata values to Jira field values and back, for the common schema types.

=================  ===========================  ==========================================
schema             neutral value (metadata)     Jira field value
=================  ===========================  ==========================================
number             3, 2.5                       3, 2.5
string             "text"                       "text" (a multi-line field on Cloud: ADF)
option             "High"                       {"value": "High"}
array of option    ["A", "B"]                   [{"value": "A"}, {"value": "B"}]
array of           ["Backend"]                  [{"name": "Backend"}]
component/version
array of string    ["x", "y"]                   ["x", "y"]
date               "2026-03-01"                 "2026-03-01"
user               "5b10a2844c20165700ede21g"   {"accountId": ...} (Server: {"name": ...})
=================  ===========================  ==========================================

Reading goes by the value's shape, so a read needs no metadata: what was written reads back
as it was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import JsonValue

from adapters.jira._adf import from_markdown
from adapters.jira._markdown import to_markdown
from adapters.jira._schema import FieldMeta
from bridge.errors import InvalidError

__all__ = ["from_jira", "to_jira"]

SUPPORTED = "number, string, option, options, date, user"


def _refuse(meta: FieldMeta, key: str, value: Any, why: str) -> InvalidError:
    return InvalidError(
        f"metadata {key!r} = {value!r} cannot go into {meta.name} ({meta.id}): {why}",
        adapter="jira",
    )


def _allowed(meta: FieldMeta, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(meta, key, value, "expected the name of an option")
    if meta.allowed and value not in meta.allowed:
        raise _refuse(meta, key, value, f"allowed values: {', '.join(meta.allowed)}")
    return value


def _user(meta: FieldMeta, key: str, value: Any, cloud: bool) -> dict[str, str]:
    if not isinstance(value, str) or not value:
        raise _refuse(meta, key, value, "expected an account id (Server: a user name)")
    return {"accountId": value} if cloud else {"name": value}


def _array(meta: FieldMeta, key: str, value: Any, cloud: bool) -> list[Any]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _refuse(meta, key, value, "expected a list")
    if meta.items == "option":
        return [{"value": _allowed(meta, key, v)} for v in items]
    if meta.items in ("component", "version"):
        return [{"name": _allowed(meta, key, v)} for v in items]
    if meta.items == "string":
        if not all(isinstance(v, str) for v in items):
            raise _refuse(meta, key, value, "expected a list of strings")
        return list(items)
    if meta.items == "user":
        return [_user(meta, key, v, cloud) for v in items]
    raise _refuse(meta, key, value, f"arrays of {meta.items} are not mapped ({SUPPORTED})")


def _number(meta: FieldMeta, key: str, value: Any, cloud: bool) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(meta, key, value, "expected a number")
    return value


def _string(meta: FieldMeta, key: str, value: Any, cloud: bool) -> Any:
    if not isinstance(value, str):
        raise _refuse(meta, key, value, "expected a string")
    return from_markdown(value) if cloud and meta.neutral_type == "text" else value


def _option(meta: FieldMeta, key: str, value: Any, cloud: bool) -> Any:
    return {"value": _allowed(meta, key, value)}


def _date(meta: FieldMeta, key: str, value: Any, cloud: bool) -> Any:
    try:
        date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise _refuse(meta, key, value, "expected a date such as 2026-03-01") from None
    return value


_WRITERS: dict[str, Callable[[FieldMeta, str, Any, bool], Any]] = {
    "number": _number,
    "string": _string,
    "option": _option,
    "array": _array,
    "date": _date,
    "user": _user,
}


def to_jira(meta: FieldMeta, key: str, value: JsonValue, *, cloud: bool) -> Any:
    """The value of field ``meta`` for ``metadata[key] = value`` (``None`` clears it)."""
    if value is None:
        return None
    writer = _WRITERS.get(meta.type)
    if writer is None:
        raise _refuse(meta, key, value, f"{meta.type} fields are not mapped ({SUPPORTED})")
    return writer(meta, key, value, cloud)


def _one(raw: Any) -> JsonValue:
    if isinstance(raw, dict):
        if raw.get("type") == "doc":
            return to_markdown(raw)
        for name in ("value", "accountId", "name", "key", "id"):
            if isinstance(raw.get(name), str):
                return str(raw[name])
        return None
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str | int | float | bool):
        return raw
    return None


def from_jira(raw: Any) -> JsonValue:
    """The neutral value of a field's value as Jira answers it (``None``: unset)."""
    if raw is None or raw in ([], ""):
        return None
    if isinstance(raw, list):
        values = [_one(v) for v in raw]
        return [v for v in values if v is not None]
    return _one(raw)
