"""Field-by-field three-way merge of a ticket against the value both sides last agreed on.

``metadata`` is merged key by key the same way, so that a tracker field mapped to one key
(an estimate, a team) and a plan kept in another travel independently.

A *snapshot* is the synced fields of a ticket as plain JSON values, with ticket ids (parent,
dependencies) in the local store's ids so that both sides compare. Labels and dependencies
are sets: their order on a tracker is not an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bridge.models import Ticket

__all__ = ["FIELDS", "POLICIES", "FieldConflict", "Merge", "Policy", "Side", "merge", "snapshot"]

FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "type",
    "assignee",
    "labels",
    "metadata",
    "resolution",
    "parent_id",
    "dependencies",
)
LINK_FIELDS = ("parent_id", "dependencies")
Policy = Literal["newer", "local-wins", "remote-wins"]
POLICIES: tuple[Policy, ...] = ("newer", "local-wins", "remote-wins")
Side = Literal["local", "remote"]


def snapshot(ticket: Ticket, to_local: Callable[[str], str | None] | None = None) -> dict[str, Any]:
    """The synced fields of ``ticket``; ``to_local`` maps tracker ids to local ids.

    A parent or dependency that has no local counterpart (yet) is kept as ``"?<id>"``.
    """

    def local(ticket_id: str) -> str:
        if to_local is None:
            return ticket_id
        found = to_local(ticket_id)
        return found if found is not None else f"?{ticket_id}"

    data = ticket.model_dump(mode="json", include=set(FIELDS))
    data["labels"] = sorted(data["labels"])
    data["parent_id"] = None if ticket.parent_id is None else local(ticket.parent_id)
    data["dependencies"] = sorted(local(d) for d in ticket.dependencies)
    if ticket.status.is_done is False:
        data["resolution"] = None  # an open ticket has no resolution on any tracker
    return data


@dataclass(frozen=True)
class FieldConflict:
    """One field both sides changed since ``base``, and the side whose value was kept.

    (:class:`bridge.sync.state.Conflict` is such a conflict once recorded.)
    """

    field: str
    local: Any
    remote: Any
    base: Any
    kept: Side


@dataclass
class Merge:
    """The outcome for one linked pair."""

    merged: dict[str, Any]
    to_local: dict[str, Any] = field(default_factory=dict)
    to_remote: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)


def merge(
    base: dict[str, Any] | None,
    local: dict[str, Any],
    remote: dict[str, Any],
    *,
    policy: Policy,
    local_is_newer: bool,
) -> Merge:
    """Take each field from the side that changed it; both changed it: the policy decides.

    Without a base (a pair linked for the first time) every difference is a conflict.
    Each conflict is a :class:`FieldConflict`.
    """
    out = Merge(merged={})
    keep_local = policy == "local-wins" or (policy == "newer" and local_is_newer)
    for name in FIELDS:
        if name == "metadata":
            _merge_metadata(out, base, local, remote, keep_local=keep_local)
            continue
        mine, theirs = local.get(name), remote.get(name)
        was = base.get(name) if base is not None else None
        value, side, conflict = _three_way(base is not None, was, mine, theirs, keep_local)
        out.merged[name] = value
        if side is not None:
            (out.to_local if side == "remote" else out.to_remote)[name] = value
        if conflict is not None:
            out.conflicts.append(FieldConflict(name, mine, theirs, was, conflict))
    return out


_ABSENT = object()  # a metadata key one side does not have


def _three_way(
    has_base: bool, was: Any, mine: Any, theirs: Any, keep_local: bool
) -> tuple[Any, Side | None, Side | None]:
    """The merged value, the side it came from where the other must take it, and the side
    kept where both changed it (a conflict)."""
    if mine == theirs:
        return mine, None, None
    if has_base and mine == was:
        return theirs, "remote", None
    if has_base and theirs == was:
        return mine, "local", None
    return (mine, "local", "local") if keep_local else (theirs, "remote", "remote")


def _merge_metadata(
    out: Merge,
    base: dict[str, Any] | None,
    local: dict[str, Any],
    remote: dict[str, Any],
    *,
    keep_local: bool,
) -> None:
    """``metadata`` key by key: an edit of one key here and of another there both survive;
    a key both sides changed is a conflict of its own (``metadata.<key>``)."""
    mine, theirs = local.get("metadata") or {}, remote.get("metadata") or {}
    was = (base.get("metadata") or {}) if base is not None else {}
    merged: dict[str, Any] = {}
    for key in sorted({*mine, *theirs, *was}):
        a, b, w = mine.get(key, _ABSENT), theirs.get(key, _ABSENT), was.get(key, _ABSENT)
        value, _, kept = _three_way(base is not None, w, a, b, keep_local)
        if value is not _ABSENT:
            merged[key] = value
        if kept is not None:
            here, there, then = (None if v is _ABSENT else v for v in (a, b, w))
            out.conflicts.append(FieldConflict(f"metadata.{key}", here, there, then, kept))
    out.merged["metadata"] = merged
    if merged != mine:
        out.to_local["metadata"] = merged
    if merged != theirs:
        out.to_remote["metadata"] = merged
