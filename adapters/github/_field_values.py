"""Issue field values in both directions: neutral priority and metadata <-> ``issue_field_values``.

GitHub takes ``issue_field_values: [{field_id, value}]`` on issue create and update, a
single-select's value given by the option's name, a multi-select's as a list of names, a
number as a number and a date as an ISO 8601 date string. It answers with the issue's values,
each naming its field (``issue_field_name``); a single-select's choice is in
``single_select_option`` (its ``value`` is the option's id). A value GitHub dropped (the
feature not enabled, no push access) is simply absent from the answer.

Everything here is pure: the organisation's field definitions come in as :class:`FieldDef`
from :mod:`adapters.github._fields`, which reads them once per run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapters.github._config import GitHubConfig
from adapters.github._errors import ADAPTER
from adapters.github._payload import FieldValueIn, IssueIn
from bridge.errors import InvalidError
from bridge.models import Priority

__all__ = [
    "NEUTRAL_TYPES",
    "FieldDef",
    "Routing",
    "as_request",
    "changed_values",
    "dropped_fields",
    "encode",
    "read_metadata",
    "read_priority",
    "wanted_values",
]

# GitHub's data types and the neutral schema types of bridge.fields.FieldInfo.
NEUTRAL_TYPES = {
    "text": "string",
    "number": "number",
    "date": "date",
    "single_select": "option",
    "multi_select": "options",
}

Value = str | int | float | list[str]


@dataclass(frozen=True)
class FieldDef:
    """The part of one organisation issue field the bridge uses."""

    id: int
    name: str
    data_type: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Routing:
    """Where a write puts priority and mapped metadata: the issue fields named here, or
    (for what is not named) the priority label and the body's hidden block."""

    priority: FieldDef | None = None
    keys: Mapping[str, FieldDef] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.priority is not None or bool(self.keys)

    def block_metadata(self, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """The metadata the body's block keeps: every key no issue field holds."""
        return {k: v for k, v in metadata.items() if k not in self.keys}


def _refuse(what: str, value: Any, expected: str, ticket_id: str | None) -> InvalidError:
    return InvalidError(
        f"{what}: {value!r} is not {expected}", adapter=ADAPTER, ticket_id=ticket_id
    )


def encode(fdef: FieldDef, value: Any, what: str, ticket_id: str | None = None) -> Value:
    """The value GitHub takes for ``fdef``, or an error naming what was expected."""
    kind = fdef.data_type
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(what, value, f"a number (issue field {fdef.name!r})", ticket_id)
        return value
    if kind == "date":
        try:
            date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            expected = f"a date as YYYY-MM-DD (issue field {fdef.name!r})"
            raise _refuse(what, value, expected, ticket_id) from None
        return str(value)
    if kind in ("single_select", "multi_select"):
        chosen = value if kind == "multi_select" and isinstance(value, list) else [value]
        allowed = ", ".join(fdef.options) or "none"
        for item in chosen:
            if not isinstance(item, str) or item not in fdef.options:
                expected = f"an option of the issue field {fdef.name!r} (options: {allowed})"
                raise _refuse(what, item, expected, ticket_id)
        return [str(c) for c in chosen] if kind == "multi_select" else str(value)
    if not isinstance(value, str):
        raise _refuse(what, value, f"text (issue field {fdef.name!r})", ticket_id)
    return value


def _decoded(value: FieldValueIn) -> Any:
    """A value as the bridge reads it: the option's name for a single-select, the names for
    a multi-select, else the value itself."""
    if value.data_type == "single_select":
        return value.single_select_option.name if value.single_select_option else None
    if value.data_type == "multi_select":
        if value.multi_select_options is not None:
            return [o.name for o in value.multi_select_options]
        return [v for v in str(value.value or "").split(",") if v]
    return value.value


def _by_name(issue: IssueIn) -> dict[str, FieldValueIn]:
    return {v.issue_field_name: v for v in issue.issue_field_values if v.issue_field_name}


def read_priority(issue: IssueIn, config: GitHubConfig) -> Priority | None:
    """The priority the issue's priority field holds, if it holds one the map knows."""
    if config.priority_field is None:
        return None
    held = _by_name(issue).get(config.priority_field)
    option = _decoded(held) if held is not None else None
    if not isinstance(option, str):
        return None
    return {v: k for k, v in config.priority_values.items()}.get(option)


def read_metadata(issue: IssueIn, config: GitHubConfig) -> dict[str, Any]:
    """The metadata keys of ``field_map`` whose fields hold a value on the issue."""
    held = _by_name(issue)
    found: dict[str, Any] = {}
    for key, name in config.field_map.items():
        if name in held and (value := _decoded(held[name])) is not None:
            found[key] = value
    return found


def wanted_values(
    routing: Routing,
    config: GitHubConfig,
    priority: Priority,
    metadata: Mapping[str, Any],
    ticket_id: str | None = None,
) -> dict[int, Value]:
    """Field id -> value of every field the routing fills for this priority and metadata."""
    wanted: dict[int, Value] = {}
    if routing.priority is not None:
        option = config.priority_values[priority]
        wanted[routing.priority.id] = encode(routing.priority, option, "priority", ticket_id)
    for key, fdef in routing.keys.items():
        if key in metadata and metadata[key] is not None:
            wanted[fdef.id] = encode(fdef, metadata[key], f"metadata {key!r}", ticket_id)
    return wanted


def _same(held: FieldValueIn | None, value: Value) -> bool:
    if held is None:
        return False
    got = _decoded(held)
    if isinstance(value, list):
        return isinstance(got, list) and sorted(got) == sorted(value)
    if isinstance(value, int | float) and not isinstance(got, str | list | type(None)):
        return float(got) == float(value)
    return bool(got == value)


def changed_values(
    routing: Routing, issue: IssueIn, wanted: Mapping[int, Value]
) -> tuple[dict[int, Value], list[FieldDef]]:
    """What an update must send: the wanted values the issue does not hold yet, and the
    routed fields that hold a value nothing wants any more (to be cleared)."""
    held = {v.issue_field_id: v for v in issue.issue_field_values}
    to_set = {fid: v for fid, v in wanted.items() if not _same(held.get(fid), v)}
    routed = [f for f in (routing.priority, *routing.keys.values()) if f is not None]
    to_clear = [f for f in routed if f.id in held and f.id not in wanted]
    return to_set, to_clear


def dropped_fields(routing: Routing, sent: Mapping[int, Value], issue: IssueIn) -> list[str]:
    """The names of the fields whose sent value the answer does not carry: GitHub dropped
    them without a word."""
    held = {v.issue_field_id: v for v in issue.issue_field_values}
    routed = {f.id: f.name for f in (routing.priority, *routing.keys.values()) if f is not None}
    return [routed[fid] for fid, value in sent.items() if not _same(held.get(fid), value)]


def as_request(values: Mapping[int, Value]) -> list[dict[str, Any]]:
    """``issue_field_values`` as a request body carries them."""
    return [{"field_id": fid, "value": value} for fid, value in values.items()]
