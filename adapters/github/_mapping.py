"""Pure mapping between GitHub issue payloads and neutral tickets, both directions.

Issues come in validated (:mod:`adapters.github._payload`); what GitHub has no field for
travels in the body's hidden block (:mod:`adapters.github._body`); label names are read and
written by :mod:`adapters.github._labels`. A ticket is always built through the model's
validation: a value the model refuses is a bridge error naming the field, except a title
longer than the model allows, which is shortened with a warning (GitHub allows 256
characters, the model fewer; nothing is written back unless the title is changed).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from adapters.github._body import (
    BODY_LIMIT,
    Block,
    checked_body,
    comment_body,
    compose_body,
    parse_comment,
    resolution_note,
    split_body,
)
from adapters.github._config import GitHubConfig
from adapters.github._errors import ADAPTER
from adapters.github._field_values import (
    FieldDef,
    Routing,
    as_request,
    changed_values,
    read_metadata,
    read_priority,
    wanted_values,
)
from adapters.github._labels import bridge_labels, labels_for, owned_labels, read_labels
from adapters.github._payload import IssueIn
from bridge.errors import UnavailableError
from bridge.models import (
    MAX_TITLE,
    Status,
    Ticket,
    TicketDraft,
    TicketQuery,
    TicketType,
    TrackerRef,
)
from bridge.validation import describe_errors

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
    "list_params",
    "number_from_url",
    "parse_comment",
    "plan_update",
    "resolution_note",
    "split_body",
    "state_fields",
]

log = logging.getLogger(__name__)

OPEN = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED})


def number_from_url(url: str | None) -> str | None:
    """The issue number at the end of an issue URL."""
    if not url:
        return None
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None


def _issue_kind(
    issue: IssueIn, config: GitHubConfig, block: Block, kind: TicketType | None
) -> TicketType:
    """The type: the issue type where those are used, else the label, else the body's."""
    issue_type = issue.type.name if config.use_issue_types and issue.type else None
    if issue_type:
        kind = {v: k for k, v in config.issue_types.items()}.get(issue_type)
    if kind is None:
        kind = (
            TicketType(block.type)
            if block.type in {t.value for t in TicketType}
            else TicketType.TASK
        )
    return kind


def _issue_status(issue: IssueIn, block: Block, status: Status) -> tuple[Status, str | None]:
    """Status and resolution from the issue's state, its status label and the body."""
    if issue.state == "closed":
        if block.status in (Status.RESOLVED.value, Status.CLOSED.value):
            return Status(block.status), block.resolution
        closed = Status.CLOSED if issue.state_reason == "not_planned" else Status.RESOLVED
        return closed, block.resolution
    if status not in (Status.IN_PROGRESS, Status.BLOCKED):
        return Status.OPEN, None
    return status, None


def _title(issue: IssueIn) -> str:
    title = issue.title.strip()
    if len(title) > MAX_TITLE:
        log.warning(
            "GitHub issue #%s has a title of %d characters; shown cut to %d",
            issue.number,
            len(title),
            MAX_TITLE,
        )
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    return title


def issue_to_ticket(
    issue: IssueIn,
    config: GitHubConfig,
    deps: list[str] | None = None,
    *,
    parent_id: str | None = None,
) -> Ticket:
    """A neutral ticket from an issue; ``deps`` overrides the body's dependencies and
    ``parent_id`` a parent the payload does not name (a sub-issue list's items)."""
    description, block = split_body(issue.body)
    labels = read_labels(issue.label_names, config, block.owned)
    assignee = labels.assignee
    if assignee is None and issue.assignees:
        logins = {v: k for k, v in config.assignee_map.items()}
        login = issue.assignees[0].login
        assignee = logins.get(login, login)
    status, resolution = _issue_status(issue, block, labels.status)
    fields = {
        "id": str(issue.number),
        "title": _title(issue),
        "description": description,
        "status": status,
        "priority": read_priority(issue, config) or labels.priority,
        "type": _issue_kind(issue, config, block, labels.kind),
        "assignee": assignee,
        "labels": labels.user_labels,
        "parent_id": number_from_url(issue.parent_issue_url) or parent_id,
        "dependencies": list(deps if deps is not None else block.deps),
        "metadata": {**block.metadata, **read_metadata(issue, config)},
        "resolution": resolution,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "tracker": TrackerRef(
            tracker="github",
            key=f"{config.repo}#{issue.number}",
            url=issue.html_url,
            native_id=str(issue.id),
        ),
    }
    try:
        return Ticket.model_validate(fields)
    except ValidationError as exc:
        raise UnavailableError(
            f"GitHub issue #{issue.number} cannot be read as a ticket: "
            + "; ".join(describe_errors(exc)),
            adapter=ADAPTER,
            ticket_id=str(issue.number),
        ) from None


def list_params(config: GitHubConfig, query: TicketQuery) -> dict[str, Any]:
    """Query parameters of ``GET /issues`` that narrow a list as far as GitHub can."""
    statuses = set(query.status)
    state = "all"
    if statuses and statuses <= OPEN:
        state = "open"
    elif statuses and not statuses & OPEN:
        state = "closed"
    labels = list(query.labels)
    if len(query.priority) == 1 and config.priority_field is None:
        labels.append(config.priority_labels[query.priority[0]])
    if len(statuses) == 1 and (only := next(iter(statuses))) in config.status_labels:
        labels.append(config.status_labels[only])
    if query.assignee:
        labels.append(config.agent_label.format(query.assignee))
    params: dict[str, Any] = {"state": state, "sort": "created", "direction": "asc"}
    # GitHub splits ``labels`` at commas: a label with a comma is only filtered here.
    if sendable := [label for label in labels if "," not in label]:
        params["labels"] = ",".join(sendable)
    if query.updated_since is not None:
        params["since"] = query.updated_since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return params


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


def _labels_of(config: GitHubConfig, ticket: Ticket | TicketDraft, routing: Routing) -> list[str]:
    return labels_for(
        config,
        user_labels=ticket.labels,
        priority=None if routing.priority else ticket.priority,
        status=ticket.status,
        kind=ticket.type,
        assignee=ticket.assignee,
    )


def create_payload(
    config: GitHubConfig, draft: TicketDraft, routing: Routing | None = None
) -> dict[str, Any]:
    """The body of the request that creates the issue for ``draft``; what ``routing`` puts
    in issue fields goes in ``issue_field_values``, not in a label or the body."""
    routing = routing or Routing()
    labels = _labels_of(config, draft, routing)
    block = Block(
        status=draft.status.value if draft.status.is_done else None,
        metadata=routing.block_metadata(draft.metadata),
        key=draft.idempotency_key,
        resolution=draft.resolution,
        deps=list(draft.dependencies),
        type=draft.type.value,
        labels=list(draft.labels),
        owned=owned_labels(config, labels),
    )
    payload: dict[str, Any] = {
        "title": draft.title,
        "body": checked_body(draft.description, block),
        "labels": labels,
    }
    if assignees := assignees_for(config, draft.assignee):
        payload["assignees"] = assignees
    if config.use_issue_types:
        payload["type"] = config.issue_types[draft.type]
    if values := wanted_values(routing, config, draft.priority, draft.metadata):
        payload["issue_field_values"] = as_request(values)
    return payload


def plan_update(
    config: GitHubConfig,
    issue: IssueIn,
    current: Ticket,
    updated: Ticket,
    given: dict[str, Any],
    ticket_id: str,
    routing: Routing | None = None,
    note: str | None = None,
) -> tuple[Ticket, dict[str, Any], list[FieldDef]]:
    """The ticket as it will be stored, the PATCH that stores it (empty: nothing to send),
    and the issue fields to clear (a mapped metadata key that was removed). ``note`` is the
    key of the resolution note this change posts (a closing keeps the one it has).

    Labels a person added on GitHub are never taken away (a second label in one of the
    bridge's namespaces loses to the first, with a warning); the body keeps its
    idempotency key.
    """
    description, block = split_body(issue.body)
    if "labels" in given:
        by_person = [lb for lb in current.labels if lb not in block.labels]
        updated = updated.model_copy(
            update={"labels": list(dict.fromkeys([*updated.labels, *by_person]))}
        )
    routing = routing or Routing()
    labels = _labels_of(config, updated, routing)
    new_block = Block(
        status=updated.status.value if updated.status.is_done else None,
        metadata=routing.block_metadata(updated.metadata),
        key=block.key,
        resolution=updated.resolution if updated.status.is_done else None,
        deps=list(updated.dependencies),
        type=updated.type.value,
        labels=[lb for lb in updated.labels if lb in block.labels or lb in given.get("labels", [])],
        owned=owned_labels(config, labels),
        note=note or (block.note if updated.status.is_done else None),
    )
    new_description = updated.description if "description" in given else description
    body = checked_body(new_description, new_block, ticket_id)
    patch = _patch(config, issue, current, updated, body, labels)
    wanted = wanted_values(routing, config, updated.priority, updated.metadata, ticket_id)
    to_set, to_clear = changed_values(routing, issue, wanted)
    if to_set:
        patch["issue_field_values"] = as_request(to_set)
    return updated, patch, to_clear


def _warn_losers(config: GitHubConfig, issue: IssueIn, labels: list[str]) -> None:
    losers = read_labels(issue.label_names, config, split_body(issue.body)[1].owned).losers
    for loser, winner in losers.items():
        if loser not in labels:
            log.warning(
                "GitHub issue #%s: removing label %r, which %r beats in its namespace",
                issue.number,
                loser,
                winner,
            )


def _patch(
    config: GitHubConfig,
    issue: IssueIn,
    current: Ticket,
    updated: Ticket,
    body: str,
    labels: list[str],
) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if updated.title != current.title:
        patch["title"] = updated.title
    if body != (issue.body or ""):
        patch["body"] = body
    if set(labels) != set(issue.label_names):
        _warn_losers(config, issue, labels)
        patch["labels"] = labels
    if updated.assignee != current.assignee:
        patch["assignees"] = assignees_for(config, updated.assignee)
    if config.use_issue_types and updated.type != current.type:
        patch["type"] = config.issue_types[updated.type]
    state = state_fields(config, updated.status, updated.resolution)
    if state["state"] != issue.state or (
        state.get("state_reason") and state.get("state_reason") != issue.state_reason
    ):
        patch.update(state)
    return patch
