"""Configuration of the Jira adapter (``type = "jira"``): every name a site may differ in."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from adapters._urls import check_base_url
from bridge.models import Priority, Status, TicketType

__all__ = ["OWN_FIELDS", "JiraConfig"]

# The issue fields the bridge itself writes and reads; a field_map entry cannot take them.
OWN_FIELDS = frozenset(
    {
        "summary",
        "description",
        "priority",
        "labels",
        "status",
        "issuetype",
        "project",
        "parent",
        "assignee",
        "issuelinks",
        "resolution",
        "created",
        "updated",
        "comment",
        "key",
    }
)


class JiraConfig(BaseModel):
    """Where the project lives, how to sign in, and how neutral values map onto it."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["jira"] = "jira"
    server: str = Field(description="https://your-site.atlassian.net, or the Server base URL")
    project: str
    deployment: Literal["cloud", "server"] = "cloud"
    email_env: str = "JIRA_EMAIL"
    token_env: str = "JIRA_API_TOKEN"  # noqa: S105 - a variable name, not a secret
    timeout: float = Field(
        default=15.0, gt=0, description="seconds for one request, its body included"
    )
    max_response_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="a larger answer is refused unread"
    )
    max_pages: int = Field(
        default=1000, ge=1, description="pages one search may read before it is refused"
    )
    priority_map: dict[Priority, str] = Field(
        default_factory=lambda: {
            Priority.CRITICAL: "Highest",
            Priority.HIGH: "High",
            Priority.MEDIUM: "Medium",
            Priority.LOW: "Low",
        }
    )
    status_map: dict[Status, str] = Field(
        default_factory=lambda: {
            Status.OPEN: "To Do",
            Status.IN_PROGRESS: "In Progress",
            Status.BLOCKED: "Blocked",
            Status.RESOLVED: "Done",
            Status.CLOSED: "Closed",
        }
    )
    type_map: dict[TicketType, str] = Field(
        default_factory=lambda: {
            TicketType.TASK: "Task",
            TicketType.BUG: "Bug",
            TicketType.FEATURE: "Story",
            TicketType.EPIC: "Epic",
        }
    )
    subtask_type: str = "Sub-task"
    epic_type: str = "Epic"
    blocked_strategy: Literal["flag", "label"] = Field(
        default="label", description="for workflows without the blocked status"
    )
    blocked_label: str = "blocked"
    flag_field: str = "customfield_10021"
    done_resolution: str = "Done"
    not_planned_resolution: str = "Won't Do"
    not_planned_words: list[str] = Field(
        default_factory=lambda: [
            "won't fix",
            "wont fix",
            "won't do",
            "not planned",
            "duplicate",
            "invalid",
            "obsolete",
            "cancelled",
            "canceled",
            "rejected",
        ]
    )
    property_key: str = "ticket-bridge"
    assignee_map: dict[str, str] = Field(
        default_factory=dict, description="agent name -> Jira accountId (Server: user name)"
    )
    field_map: dict[str, str] = Field(
        default_factory=dict,
        description="neutral metadata key -> a Jira field: customfield_10016, components, "
        "fixVersions, duedate, or the field's name as the site shows it",
    )
    check_required: bool = Field(
        default=True,
        description="read each issue type's create metadata (once per run) and refuse a create "
        "that lacks a required field before sending it",
    )
    page_size: int = Field(default=100, ge=1, le=100)
    idempotency_lookback_days: int = Field(default=7, ge=1)

    @field_validator("server")
    @classmethod
    def _server(cls, value: str) -> str:
        return check_base_url(value, "server")

    @field_validator("field_map")
    @classmethod
    def _field_map(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for key, target in value.items():
            if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", key):
                raise ValueError(
                    f"field_map key {key!r} must be a metadata key of letters, digits, _ . : -"
                )
            name = target.strip()
            if not name or len(name) > 255 or any(ch in name for ch in "\n\r\t"):
                raise ValueError(f"field_map.{key}: {target!r} is not a Jira field id or name")
            if name.lower() in OWN_FIELDS:
                raise ValueError(
                    f"field_map.{key}: {name} is a field the bridge sets itself; map a "
                    "custom field, components, fixVersions, duedate, ..."
                )
            if name.lower() in seen:
                raise ValueError(
                    f"field_map: {seen[name.lower()]} and {key} both map to {name}; one key a field"
                )
            seen[name.lower()] = key
        return {k: v.strip() for k, v in value.items()}

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,19}", value):
            raise ValueError("project must be a Jira project key such as ABC")
        return value
