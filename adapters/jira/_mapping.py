"""Pure mapping between Jira issue payloads and neutral tickets, both directions."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from adapters.jira._config import JiraConfig
from bridge.models import Comment, Priority, Status, Ticket, TicketType, TrackerRef

__all__ = ["adf", "comment_text", "issue_to_ticket", "parse_comment", "plain"]

_AUTHOR = re.compile(r"\Aticket-bridge author: (\".*?\")\n\n", re.DOTALL)
CATEGORY_STATUS = {"new": Status.OPEN, "indeterminate": Status.IN_PROGRESS, "done": Status.RESOLVED}
FIELDS = [
    "summary",
    "description",
    "status",
    "priority",
    "issuetype",
    "labels",
    "assignee",
    "parent",
    "issuelinks",
    "created",
    "updated",
    "resolution",
]


def adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document: paragraphs, with hard breaks for single newlines."""
    content = []
    for paragraph in text.split("\n\n"):
        nodes: list[dict[str, Any]] = []
        for i, line in enumerate(paragraph.split("\n")):
            if i:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def plain(value: Any) -> str:
    """Text from a v2 string or a v3 Atlassian Document."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    paragraphs = []
    for block in value.get("content", []):
        parts = []
        for node in block.get("content", []) or []:
            if node.get("type") == "text":
                parts.append(node.get("text", ""))
            elif node.get("type") == "hardBreak":
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n\n".join(paragraphs)


def _when(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%f%z")


def issue_to_ticket(issue: dict[str, Any], config: JiraConfig) -> Ticket:
    """A neutral ticket from an issue payload (with the bridge's entity property)."""
    f = issue["fields"]
    prop: dict[str, Any] = (issue.get("properties") or {}).get(config.property_key) or {}
    status_name = f["status"]["name"]
    by_status = {v: k for k, v in config.status_map.items()}
    status = by_status.get(status_name)
    if status is None:
        status = CATEGORY_STATUS.get(f["status"]["statusCategory"]["key"], Status.OPEN)
    labels = list(f.get("labels") or [])
    if status is Status.IN_PROGRESS:  # a workflow without Blocked marks it by label or flag
        if config.blocked_strategy == "label" and config.blocked_label in labels:
            status = Status.BLOCKED
            labels.remove(config.blocked_label)
        elif config.blocked_strategy == "flag" and f.get(config.flag_field):
            status = Status.BLOCKED
    if status.is_done and prop.get("status") in (Status.RESOLVED.value, Status.CLOSED.value):
        status = Status(prop["status"])
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
        description=plain(f.get("description")),
        status=status,
        priority=priority,
        type=kind,
        assignee=assignee,
        labels=labels,
        parent_id=(f.get("parent") or {}).get("key"),
        dependencies=deps,
        metadata=prop.get("metadata") or {},
        resolution=prop.get("resolution") if status.is_done else None,
        created_at=_when(f["created"]),
        updated_at=_when(f["updated"]),
        tracker=TrackerRef(
            tracker="jira",
            key=issue["key"],
            url=f"{config.server}/browse/{issue['key']}",
            native_id=str(issue["id"]),
        ),
        pending=False,
    )


def comment_text(author: str, text: str) -> str:
    """A comment as posted: a marked header line naming the author, then the text."""
    return f"ticket-bridge author: {json.dumps(author)}\n\n{text}"


def parse_comment(raw: dict[str, Any], ticket_id: str) -> Comment:
    body = plain(raw.get("body"))
    match = _AUTHOR.match(body)
    if match:
        author, text = json.loads(match.group(1)), body[match.end() :]
    else:
        who = raw.get("author") or {}
        author, text = who.get("displayName") or who.get("name") or "unknown", body
    return Comment(
        id=str(raw["id"]),
        ticket_id=ticket_id,
        author=author,
        body=text,
        created_at=_when(raw["created"]),
    )
