"""Pure mapping between GitHub issue payloads and neutral tickets, both directions.

What GitHub has no field for (metadata, the idempotency key, resolved-vs-closed, the
resolution, dependencies where the server lacks them) travels in one hidden HTML comment at
the end of the body: invisible on GitHub, parsed back here, robust to edits of the text
above it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import JsonValue

from adapters.github._config import GitHubConfig
from bridge.errors import InvalidError
from bridge.models import (
    Comment,
    Priority,
    Status,
    Ticket,
    TicketDraft,
    TicketType,
    TrackerRef,
)

__all__ = [
    "BODY_LIMIT",
    "OPEN",
    "Block",
    "assignees_for",
    "bridge_labels",
    "checked_body",
    "comment_body",
    "compose_body",
    "create_payload",
    "issue_to_ticket",
    "parse_comment",
    "plan_update",
    "resolution_note",
    "split_body",
    "state_fields",
]

_BLOCK_RE = re.compile(r"\n*<!-- ticket-bridge (\{.*?\}) -->\s*$", re.DOTALL)
_AUTHOR_RE = re.compile(
    r"\A<!-- ticket-bridge:author (\".*?\")(?: key (\"[^\"]*\"))? -->\n\*\*.*?\*\* wrote:\n\n",
    re.DOTALL,
)
RESOLUTION_MARK = "<!-- ticket-bridge:resolution -->"
BODY_LIMIT = 65_536
OPEN = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED})


@dataclass
class Block:
    """The hidden part of an issue body."""

    status: str | None = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    key: str | None = None
    resolution: str | None = None
    deps: list[str] = field(default_factory=list)
    type: str | None = None
    labels: list[str] = field(default_factory=list)

    def dump(self) -> str:
        data: dict[str, Any] = {"v": 1}
        for name in ("status", "type", "key", "resolution"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.metadata:
            data["metadata"] = self.metadata
        if self.deps:
            data["deps"] = self.deps
        if self.labels:
            data["labels"] = self.labels
        # "--" cannot appear inside an HTML comment; \u002d is the same JSON string.
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("--", "-\\u002d")
        return f"<!-- ticket-bridge {text} -->"


def split_body(body: str | None) -> tuple[str, Block]:
    """The visible description and the hidden block of an issue body."""
    body = body or ""
    match = _BLOCK_RE.search(body)
    if not match:
        return body.rstrip(), Block()
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return body.rstrip(), Block()
    block = Block(
        status=data.get("status"),
        metadata=data.get("metadata") or {},
        key=data.get("key"),
        resolution=data.get("resolution"),
        deps=[str(d) for d in data.get("deps") or []],
        type=data.get("type"),
        labels=[str(x) for x in data.get("labels") or []],
    )
    return body[: match.start()].rstrip(), block


def compose_body(description: str, block: Block) -> str:
    """The issue body: the description a person reads, then the hidden block."""
    description = description.rstrip()
    return f"{description}\n\n{block.dump()}" if description else block.dump()


def bridge_labels(config: GitHubConfig) -> tuple[set[str], str, str]:
    """Every label name the bridge owns, and the agent label's prefix and suffix."""
    owned = {*config.priority_labels.values(), *config.status_labels.values()}
    if not config.use_issue_types:
        owned |= set(config.type_labels.values())
    prefix, _, suffix = config.agent_label.partition("{}")
    return owned, prefix, suffix


def labels_for(
    config: GitHubConfig,
    *,
    user_labels: list[str],
    priority: Priority,
    status: Status,
    kind: TicketType,
    assignee: str | None,
) -> list[str]:
    """The full label set of an issue: the user's labels plus the bridge's own."""
    labels = list(user_labels)
    labels.append(config.priority_labels[priority])
    if status in config.status_labels:
        labels.append(config.status_labels[status])
    if not config.use_issue_types:
        labels.append(config.type_labels[kind])
    if assignee:
        labels.append(config.agent_label.format(assignee))
    return list(dict.fromkeys(labels))


def _number_from_url(url: str | None) -> str | None:
    if not url:
        return None
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None


def _when(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def _read_labels(
    names: list[str], config: GitHubConfig
) -> tuple[Priority, Status, TicketType | None, str | None, list[str]]:
    """Priority, extended status, type, agent and the user's own labels from label names."""
    owned, agent_prefix, agent_suffix = bridge_labels(config)
    priority, status, kind, assignee = Priority.MEDIUM, Status.OPEN, None, None
    user_labels = []
    by_priority = {v: k for k, v in config.priority_labels.items()}
    by_status = {v: k for k, v in config.status_labels.items()}
    by_type = {v: k for k, v in config.type_labels.items()}
    for name in names:
        if name in by_priority:
            priority = by_priority[name]
        elif name in by_status:
            status = by_status[name]
        elif name in by_type and not config.use_issue_types:
            kind = by_type[name]
        elif agent_prefix and name.startswith(agent_prefix) and name.endswith(agent_suffix):
            assignee = name[len(agent_prefix) : len(name) - len(agent_suffix) or None]
        elif name not in owned:
            user_labels.append(name)
    return priority, status, kind, assignee, user_labels


def _issue_kind(
    issue: dict[str, Any], config: GitHubConfig, block: Block, kind: TicketType | None
) -> TicketType:
    """The type: the issue type where those are used, else the label, else the body's."""
    issue_type = (issue.get("type") or {}).get("name") if config.use_issue_types else None
    if issue_type:
        kind = {v: k for k, v in config.issue_types.items()}.get(issue_type)
    if kind is None:
        kind = (
            TicketType(block.type)
            if block.type in {t.value for t in TicketType}
            else TicketType.TASK
        )
    return kind


def _issue_status(issue: dict[str, Any], block: Block, status: Status) -> tuple[Status, str | None]:
    """Status and resolution from the issue's state, its status label and the body."""
    if issue.get("state") == "closed":
        if block.status in (Status.RESOLVED.value, Status.CLOSED.value):
            return Status(block.status), block.resolution
        closed = Status.CLOSED if issue.get("state_reason") == "not_planned" else Status.RESOLVED
        return closed, block.resolution
    if status not in (Status.IN_PROGRESS, Status.BLOCKED):
        return Status.OPEN, None
    return status, None


def issue_to_ticket(
    issue: dict[str, Any], config: GitHubConfig, deps: list[str] | None = None
) -> Ticket:
    """A neutral ticket from an issue payload; ``deps`` overrides the body's dependencies."""
    description, block = split_body(issue.get("body"))
    names = [lb["name"] if isinstance(lb, dict) else str(lb) for lb in issue.get("labels", [])]
    priority, status, kind, assignee, user_labels = _read_labels(names, config)
    if assignee is None and issue.get("assignees"):
        logins = {v: k for k, v in config.assignee_map.items()}
        login = issue["assignees"][0]["login"]
        assignee = logins.get(login, login)
    status, resolution = _issue_status(issue, block, status)
    repo_key = config.repo
    return Ticket.model_construct(
        id=str(issue["number"]),
        title=issue["title"],
        description=description,
        status=status,
        priority=priority,
        type=_issue_kind(issue, config, block, kind),
        assignee=assignee,
        labels=user_labels,
        parent_id=_number_from_url(issue.get("parent_issue_url")),
        dependencies=list(deps if deps is not None else block.deps),
        metadata=block.metadata,
        resolution=resolution,
        created_at=_when(issue["created_at"]),
        updated_at=_when(issue["updated_at"]),
        tracker=TrackerRef(
            tracker="github",
            key=f"{repo_key}#{issue['number']}",
            url=issue.get("html_url"),
            native_id=str(issue["id"]),
        ),
        pending=False,
    )


def comment_body(author: str, text: str, key: str | None = None) -> str:
    """A comment as posted: a hidden marker (author, idempotency key), a visible header
    line, the text."""
    mark = json.dumps(author) + (f" key {json.dumps(key)}" if key else "")
    return f"<!-- ticket-bridge:author {mark} -->\n**{author}** wrote:\n\n{text}"


def parse_comment(raw: dict[str, Any], ticket_id: str) -> Comment | None:
    """A neutral comment from a comment payload; ``None`` for the bridge's resolution notes."""
    body = raw.get("body") or ""
    if body.startswith(RESOLUTION_MARK):
        return None
    match = _AUTHOR_RE.match(body)
    key = None
    if match:
        author, text = json.loads(match.group(1)), body[match.end() :]
        key = json.loads(match.group(2)) if match.group(2) else None
    else:
        author, text = (raw.get("user") or {}).get("login", "unknown"), body
    return Comment(
        id=str(raw["id"]),
        ticket_id=ticket_id,
        author=author,
        body=text,
        created_at=_when(raw["created_at"]),
        key=key,
    )


def resolution_note(resolution: str) -> str:
    """The comment that records a resolution (GitHub has no field for it)."""
    return f"{RESOLUTION_MARK}\n**Resolution:** {resolution}"


def checked_body(description: str, block: Block, ticket_id: str | None = None) -> str:
    """The issue body, or ``InvalidError`` when it would be longer than GitHub allows."""
    body = compose_body(description, block)
    if len(body) > BODY_LIMIT:
        raise InvalidError(
            f"the issue body would be {len(body)} characters (description "
            f"{len(description)} plus {len(body) - len(description)} of metadata); GitHub "
            f"allows {BODY_LIMIT}",
            adapter="github",
            ticket_id=ticket_id,
        )
    return body


def state_fields(config: GitHubConfig, status: Status, resolution: str | None) -> dict[str, Any]:
    """The issue's ``state`` (and ``state_reason`` when closed) for a status."""
    if status in OPEN:
        return {"state": "open"}
    words = (resolution or "").lower()
    not_planned = status is Status.CLOSED and any(w in words for w in config.not_planned_words)
    return {"state": "closed", "state_reason": "not_planned" if not_planned else "completed"}


def assignees_for(config: GitHubConfig, assignee: str | None) -> list[str]:
    """Real GitHub assignees for an agent, where ``assignee_map`` names a login."""
    login = config.assignee_map.get(assignee or "")
    return [login] if login else []


def create_payload(config: GitHubConfig, draft: TicketDraft) -> dict[str, Any]:
    """The body of the request that creates the issue for ``draft``."""
    block = Block(
        status=draft.status.value if draft.status.is_done else None,
        metadata=draft.metadata,
        key=draft.idempotency_key,
        resolution=draft.resolution,
        deps=list(draft.dependencies),
        type=draft.type.value,
        labels=list(draft.labels),
    )
    payload: dict[str, Any] = {
        "title": draft.title,
        "body": checked_body(draft.description, block),
        "labels": labels_for(
            config,
            user_labels=draft.labels,
            priority=draft.priority,
            status=draft.status,
            kind=draft.type,
            assignee=draft.assignee,
        ),
    }
    if assignees := assignees_for(config, draft.assignee):
        payload["assignees"] = assignees
    if config.use_issue_types:
        payload["type"] = config.issue_types[draft.type]
    return payload


def plan_update(
    config: GitHubConfig,
    issue: dict[str, Any],
    current: Ticket,
    updated: Ticket,
    given: dict[str, Any],
    ticket_id: str,
) -> tuple[Ticket, dict[str, Any]]:
    """The ticket as it will be stored, and the PATCH that stores it (empty: nothing to send).

    Labels a person added on GitHub are never taken away; the body keeps its idempotency key.
    """
    description, block = split_body(issue.get("body"))
    if "labels" in given:
        by_person = [lb for lb in current.labels if lb not in block.labels]
        updated = updated.model_copy(
            update={"labels": list(dict.fromkeys([*updated.labels, *by_person]))}
        )
    new_block = Block(
        status=updated.status.value if updated.status.is_done else None,
        metadata=updated.metadata,
        key=block.key,
        resolution=updated.resolution if updated.status.is_done else None,
        deps=list(updated.dependencies),
        type=updated.type.value,
        labels=[lb for lb in updated.labels if lb in block.labels or lb in given.get("labels", [])],
    )
    new_description = updated.description if "description" in given else description
    body = checked_body(new_description, new_block, ticket_id)
    return updated, _patch(config, issue, current, updated, body)


def _patch(
    config: GitHubConfig, issue: dict[str, Any], current: Ticket, updated: Ticket, body: str
) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if updated.title != current.title:
        patch["title"] = updated.title
    if body != (issue.get("body") or ""):
        patch["body"] = body
    labels = labels_for(
        config,
        user_labels=updated.labels,
        priority=updated.priority,
        status=updated.status,
        kind=updated.type,
        assignee=updated.assignee,
    )
    if set(labels) != {lb["name"] for lb in issue.get("labels", [])}:
        patch["labels"] = labels
    if updated.assignee != current.assignee:
        patch["assignees"] = assignees_for(config, updated.assignee)
    if config.use_issue_types and updated.type != current.type:
        patch["type"] = config.issue_types[updated.type]
    state = state_fields(config, updated.status, updated.resolution)
    if state["state"] != issue.get("state") or (
        state.get("state_reason") and state.get("state_reason") != issue.get("state_reason")
    ):
        patch.update(state)
    return patch
