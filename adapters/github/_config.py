"""Configuration of the GitHub adapter (``type = "github"``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adapters._urls import check_base_url
from bridge.defaults import ASSIGNEE_LABEL
from bridge.models import Priority, Status, TicketType

__all__ = ["GitHubConfig"]


class GitHubConfig(BaseModel):
    """Where the issues live, how to reach them, and every label name the bridge uses."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["github"] = "github"
    repo: str = Field(description="owner/name")
    token_env: str = "GITHUB_TOKEN"  # noqa: S105 - a variable name, not a secret
    base_url: str = "https://api.github.com"
    timeout: float = Field(default=15.0, gt=0, description="seconds for each read of the socket")
    deadline: float = Field(
        default=60.0, gt=0, description="seconds for one request: redirects and the whole body"
    )
    max_response_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="the largest answer read, in bytes"
    )
    max_pages: int = Field(default=5000, gt=0, description="the most pages one list reads")
    seconds_between_requests: float | None = 0.25
    seconds_between_writes: float | None = 1.0
    priority_labels: dict[Priority, str] = Field(
        default_factory=lambda: {p: f"priority: {p.value}" for p in Priority}
    )
    status_labels: dict[Status, str] = Field(
        default_factory=lambda: {
            Status.IN_PROGRESS: "status: in progress",
            Status.BLOCKED: "status: blocked",
        }
    )
    type_labels: dict[TicketType, str] = Field(
        default_factory=lambda: {t: f"type: {t.value}" for t in TicketType}
    )
    agent_label: str = Field(default=ASSIGNEE_LABEL, description="{} is the agent's name")
    use_issue_types: bool = Field(
        default=False,
        description="set the organisation's issue types instead of type labels; each name is "
        "checked against /orgs/{org}/issue-types once per run",
    )
    issue_types: dict[TicketType, str] = Field(
        default_factory=lambda: {
            TicketType.TASK: "Task",
            TicketType.BUG: "Bug",
            TicketType.FEATURE: "Feature",
            TicketType.EPIC: "Epic",
        }
    )
    assignee_map: dict[str, str] = Field(
        default_factory=dict, description="agent name -> GitHub login for real assignees"
    )
    not_planned_words: list[str] = Field(
        default_factory=lambda: [
            "won't fix",
            "wont fix",
            "not planned",
            "duplicate",
            "invalid",
            "obsolete",
            "cancelled",
            "canceled",
            "rejected",
        ]
    )
    use_dependencies_api: bool = Field(
        default=True, description="issue dependencies (blocked by); off: kept in the body only"
    )
    idempotency_lookback_hours: float = Field(default=168.0, gt=0)
    priority_field: str | None = Field(
        default=None,
        description="the organisation's single-select issue field that holds the priority "
        "(e.g. 'Priority'); unset: priority labels only",
    )
    priority_values: dict[Priority, str] = Field(
        default_factory=lambda: {
            Priority.CRITICAL: "Urgent",
            Priority.HIGH: "High",
            Priority.MEDIUM: "Medium",
            Priority.LOW: "Low",
        },
        description="priority -> the option of priority_field",
    )
    field_map: dict[str, str] = Field(
        default_factory=dict,
        description="metadata key -> the organisation issue field that holds it",
    )

    @field_validator("repo")
    @classmethod
    def _repo(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
            raise ValueError("repo must look like 'owner/name'")
        return value

    @field_validator("agent_label")
    @classmethod
    def _agent(cls, value: str) -> str:
        if value.count("{}") != 1:
            raise ValueError("agent_label must contain {} once, e.g. 'agent: {}'")
        return value

    @field_validator("priority_field")
    @classmethod
    def _priority_field(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("priority_field must name an issue field, e.g. 'Priority'")
        return value

    @field_validator("priority_values")
    @classmethod
    def _priority_values(cls, value: dict[Priority, str]) -> dict[Priority, str]:
        missing = [p.value for p in Priority if p not in value]
        if missing:
            raise ValueError(f"priority_values must name an option for {', '.join(missing)}")
        seen: dict[str, Priority] = {}
        for priority, option in value.items():
            if not option.strip():
                raise ValueError(f"priority_values: the option for {priority.value} is empty")
            if option in seen:
                raise ValueError(
                    f"priority_values: {seen[option].value} and {priority.value} "
                    f"both map to {option!r}; each priority needs its own option"
                )
            seen[option] = priority
        return value

    @field_validator("field_map")
    @classmethod
    def _field_map(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for key, name in value.items():
            if not key.strip() or not name.strip():
                raise ValueError("field_map: keys and field names must not be empty")
            if name in seen:
                raise ValueError(
                    f"field_map: {seen[name]!r} and {key!r} both map to the field {name!r}"
                )
            seen[name] = key
        return value

    @model_validator(mode="after")
    def _priority_not_mapped(self) -> GitHubConfig:
        if self.priority_field is not None and self.priority_field in self.field_map.values():
            raise ValueError(
                f"field_map maps a metadata key to {self.priority_field!r}, "
                "which priority_field already uses"
            )
        return self

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return check_base_url(value, "base_url")
