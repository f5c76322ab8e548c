"""Field-by-field three-way merge of a ticket against the value both sides last agreed on.

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
    for name in FIELDS:
        mine, theirs = local.get(name), remote.get(name)
        was = base.get(name) if base is not None else None
        if mine == theirs:
            out.merged[name] = mine
        elif base is not None and mine == was:
            out.merged[name] = out.to_local[name] = theirs
        elif base is not None and theirs == was:
            out.merged[name] = out.to_remote[name] = mine
        else:
            keep_local = policy == "local-wins" or (policy == "newer" and local_is_newer)
            if keep_local:
                out.merged[name] = out.to_remote[name] = mine
            else:
                out.merged[name] = out.to_local[name] = theirs
            kept: Side = "local" if keep_local else "remote"
            out.conflicts.append(FieldConflict(name, mine, theirs, was, kept))
    return out
