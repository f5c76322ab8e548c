"""Pure mapping between Jira issue payloads and neutral tickets, both directions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.jira._config import JiraConfig
from adapters.jira._payload import bridge_property_of, parse_when
from adapters.jira._text import comment_parts, description_field, read_description
from adapters.jira._values import from_jira
from bridge.errors import InvalidError
from bridge.models import (
    Comment,
    Priority,
    Status,
    Ticket,
    TicketDraft,
    TicketType,
    TrackerRef,
    utcnow,
)

__all__ = [
    "CATEGORY_STATUS",
    "FIELDS",
    "Marks",
    "assignee_field",
    "blocked_labels",
    "bridge_property",
    "changed_fields",
    "check_labels",
    "create_fields",
    "created_ticket",
    "issue_to_ticket",
    "mapped_metadata",
    "parse_comment",
    "resolution_name",
    "tracker_ref",
]

CATEGORY_STATUS = {"new": Status.OPEN, "indeterminate": Status.IN_PROGRESS, "done": Status.RESOLVED}
FIELDS = [
    "summary",
    "description",
    "status",
    "priority",
    "issuetype",
    "project",
    "labels",
    "assignee",
    "parent",
    "issuelinks",
    "created",
    "updated",
    "resolution",
]


def _when(raw: str) -> datetime:
    return parse_when(raw)


def _status(
    config: JiraConfig, f: dict[str, Any], prop: dict[str, Any], labels: list[str]
) -> Status:
    """The status: mapped, else by category; blocked by label or flag; resolved or closed by
    the property. Takes the blocked label out of ``labels`` where it marks the status."""
    status_name = f["status"]["name"]
    by_status = {v: k for k, v in config.status_map.items()}
    status = by_status.get(status_name)
    if status is None:
        category = (f["status"].get("statusCategory") or {}).get("key")
        status = CATEGORY_STATUS.get(str(category), Status.OPEN)
    if status is Status.IN_PROGRESS:  # a workflow without Blocked marks it by label or flag
        if config.blocked_strategy == "label" and config.blocked_label in labels:
            status = Status.BLOCKED
            labels.remove(config.blocked_label)
        elif config.blocked_strategy == "flag" and f.get(config.flag_field):
            status = Status.BLOCKED
    if status.is_done and prop.get("status") in (Status.RESOLVED.value, Status.CLOSED.value):
        status = Status(prop["status"])
    return status


def bridge_property(issue: dict[str, Any], config: JiraConfig) -> dict[str, Any]:
    """The bridge's entity property of an issue (empty when it has none)."""
    return bridge_property_of(issue, config.property_key)


def mapped_metadata(
    f: dict[str, Any], prop: dict[str, Any], mapped: dict[str, str] | None
) -> dict[str, Any]:
    """The property's metadata, with each mapped key read from its field instead."""
    metadata = dict(prop.get("metadata") or {})
    for key, field_id in (mapped or {}).items():
        metadata.pop(key, None)
        value = from_jira(f.get(field_id))
        if value is not None:
            metadata[key] = value
    return metadata


def issue_to_ticket(
    issue: dict[str, Any], config: JiraConfig, mapped: dict[str, str] | None = None
) -> Ticket:
    """A neutral ticket from an issue payload (with the bridge's entity property);
    ``mapped``: metadata keys read from fields (key -> field id)."""
    f = issue["fields"]
    prop = bridge_property(issue, config)
    labels = list(f.get("labels") or [])
    status = _status(config, f, prop, labels)
    by_priority = {v: k for k, v in config.priority_map.items()}
    priority = by_priority.get((f.get("priority") or {}).get("name", ""), Priority.MEDIUM)
    type_name = f["issuetype"]["name"]
    by_type = {v: k for k, v in config.type_map.items()}
    kind = (
        TicketType(prop["type"])
        if prop.get("type") in {t.value for t in TicketType}
        else (by_type.get(type_name, TicketType.TASK))
    )
    assignee = prop.get("assignee")
    if assignee is None and f.get("assignee"):
        accounts = {v: k for k, v in config.assignee_map.items()}
        account = f["assignee"].get("accountId") or f["assignee"].get("name")
        assignee = accounts.get(account, f["assignee"].get("displayName"))
    deps = [
        link["inwardIssue"]["key"]
        for link in f.get("issuelinks") or []
        if link.get("type", {}).get("name") == "Blocks" and "inwardIssue" in link
    ]
    return Ticket.model_construct(
        id=issue["key"],
        title=f["summary"],
        description=read_description(f.get("description"), prop),
        status=status,
        priority=priority,
        type=kind,
        assignee=assignee,
        labels=labels,
        parent_id=(f.get("parent") or {}).get("key"),
        dependencies=deps,
        metadata=mapped_metadata(f, prop, mapped),
        resolution=prop.get("resolution") if status.is_done else None,
        created_at=_when(f["created"]),
        updated_at=_when(f["updated"]),
        tracker=tracker_ref(config, issue["key"], issue.get("id")),
        pending=False,
    )


def parse_comment(raw: dict[str, Any], ticket_id: str) -> Comment:
    """A comment as the model holds it: the author and key its header names, else Jira's
    author; the text without the header."""
    author, key, text = comment_parts(raw.get("body"))
    if author is None:
        who = raw.get("author") or {}
        author = who.get("displayName") or who.get("name") or "unknown"
    return Comment(
        id=str(raw["id"]),
        ticket_id=ticket_id,
        author=author,
        body=text,
        created_at=_when(raw["created"]),
        key=key,
    )


def tracker_ref(config: JiraConfig, key: str, native_id: str | None) -> TrackerRef:
    return TrackerRef(
        tracker="jira", key=key, url=f"{config.server}/browse/{key}", native_id=native_id
    )


def assignee_field(config: JiraConfig, assignee: str | None, *, cloud: bool) -> Any:
    """The ``assignee`` field for an agent ``assignee_map`` names an account for, else None."""
    account = config.assignee_map.get(assignee or "")
    if account is None:
        return None
    return {"accountId": account} if cloud else {"name": account}


def check_labels(labels: list[str]) -> None:
    """Refuse a label Jira cannot hold (one with whitespace), before any request."""
    for label in labels:
        if any(ch.isspace() for ch in label):
            raise InvalidError(
                f"invalid label {label!r}: Jira labels cannot contain spaces",
                adapter="jira",
            )


def blocked_labels(config: JiraConfig, labels: list[str], marked_blocked: bool) -> list[str]:
    """The labels to store; with the blocked label where that marks ``blocked``."""
    out = [lb for lb in labels if not (marked_blocked and lb == config.blocked_label)]
    if marked_blocked and config.blocked_strategy == "label":
        out.append(config.blocked_label)
    return out


def resolution_name(config: JiraConfig, resolution: str | None, status: Status) -> str:
    """The Jira resolution to set when an issue reaches a done status."""
    words = (resolution or "").lower()
    if status is Status.CLOSED and any(w in words for w in config.not_planned_words):
        return config.not_planned_resolution
    return config.done_resolution


def create_fields(
    config: JiraConfig, draft: TicketDraft, issue_type: str, marked: bool, *, cloud: bool
) -> dict[str, Any]:
    """The ``fields`` of the request that creates the issue for ``draft``.

    ``marked``: the draft is blocked and the workflow has no blocked status to reach.
    """
    fields: dict[str, Any] = {
        "project": {"key": config.project},
        "summary": draft.title,
        "issuetype": {"name": issue_type},
        "priority": {"name": config.priority_map[draft.priority]},
        "labels": blocked_labels(config, draft.labels, marked),
    }
    if draft.description:
        fields["description"] = description_field(draft.description, cloud=cloud)
    if draft.parent_id:
        fields["parent"] = {"key": draft.parent_id}
    if (assignee := assignee_field(config, draft.assignee, cloud=cloud)) is not None:
        fields["assignee"] = assignee
    if marked and config.blocked_strategy == "flag":
        fields[config.flag_field] = [{"value": "Impediment"}]
    return fields


def created_ticket(config: JiraConfig, draft: TicketDraft, key: str, native_id: str) -> Ticket:
    """The ticket just created for ``draft``, as it stands before any transition."""
    now = utcnow()
    ticket = Ticket.model_validate(
        {
            **draft.model_dump(exclude={"idempotency_key", "status", "resolution"}),
            "id": key,
            "created_at": now,
            "updated_at": now,
        }
    )
    return ticket.model_copy(update={"tracker": tracker_ref(config, key, native_id)})


@dataclass(frozen=True)
class Marks:
    """What an update needs to know of the project besides the two tickets."""

    marked: bool  # the new status is blocked, marked (label or flag) instead of reached
    was_marked: bool  # the old status was blocked, marked
    new_type: str | None  # the issue type for the new parent and type; None: they are the same


def changed_fields(
    config: JiraConfig,
    issue: dict[str, Any],
    current: Ticket,
    updated: Ticket,
    marks: Marks,
    *,
    cloud: bool,
) -> dict[str, Any]:
    """The issue fields to PUT for the difference between two tickets."""
    fields: dict[str, Any] = {}
    if updated.title != current.title:
        fields["summary"] = updated.title
    if updated.description != current.description:
        fields["description"] = description_field(updated.description, cloud=cloud)
    if updated.priority != current.priority:
        fields["priority"] = {"name": config.priority_map[updated.priority]}
    if updated.labels != current.labels or marks.marked != marks.was_marked:
        fields["labels"] = blocked_labels(config, updated.labels, marks.marked)
    if marks.marked != marks.was_marked and config.blocked_strategy == "flag":
        fields[config.flag_field] = [{"value": "Impediment"}] if marks.marked else None
    if updated.assignee != current.assignee:
        fields["assignee"] = assignee_field(config, updated.assignee, cloud=cloud)
    if marks.new_type is not None:
        if marks.new_type != issue["fields"]["issuetype"]["name"]:
            fields["issuetype"] = {"name": marks.new_type}
        fields["parent"] = {"key": updated.parent_id} if updated.parent_id else None
    return fields
