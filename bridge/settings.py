"""``[workflows]``: the PM layer's rules, all with the guide's defaults.

```toml
[workflows]
auto_ticket_threshold = 3
coordination_words = ["coordinate", "multi-agent"]
max_open = 3
capacity = 5
sla_hours = { critical = 2 }      # the other priorities keep 24 / 48 / 120
agent_label = "agent:{}"          # "" adds no agent label (the tracker maps assignees itself)
```
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bridge.defaults import AGENT_LABEL
from bridge.errors import ConfigError
from bridge.models import Priority
from bridge.validation import describe_config_errors

__all__ = ["DEFAULT_SLA_HOURS", "WorkflowSettings", "load_settings"]

DEFAULT_AGENT_KEYWORDS: dict[str, list[str]] = {
    "documentation": ["docs", "changelog", "readme"],
    "engineer": ["implement", "fix", "refactor"],
    "qa": ["test", "validate", "verify"],
    "research": ["investigate", "analyze", "explore"],
}

DEFAULT_SLA_HOURS: dict[Priority, float] = {
    Priority.CRITICAL: 4.0,
    Priority.HIGH: 24.0,
    Priority.MEDIUM: 48.0,
    Priority.LOW: 120.0,
}


class WorkflowSettings(BaseModel):
    """Thresholds, words and limits the orchestrator and helper work by."""

    model_config = ConfigDict(extra="forbid")

    auto_ticket_threshold: int = Field(
        default=3, ge=1, description="requirements or deliverables that make a ticket"
    )
    coordination_words: list[str] = Field(
        default_factory=lambda: ["coordinate", "multi-agent"],
        description="whole words (any case) in a task that make a ticket",
    )
    sla_hours: dict[Priority, float] = Field(
        default_factory=lambda: dict(DEFAULT_SLA_HOURS),
        description="hours to resolve, by priority; priorities left out keep the default",
    )
    max_open: int = Field(default=3, ge=1, description="an agent is available below this")
    capacity: int = Field(default=5, ge=1, description="open + in progress an agent can carry")
    agent_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_AGENT_KEYWORDS.items()},
        description="the agents work is balanced over, and the words that suit each",
    )
    agent_label: str = Field(
        default=AGENT_LABEL, description="label naming the owning agent; {} is its name"
    )

    @field_validator("sla_hours")
    @classmethod
    def _sla(cls, value: dict[Priority, float]) -> dict[Priority, float]:
        for priority, hours in value.items():
            if hours <= 0:
                raise ValueError(f"{priority.value}: hours must be positive, got {hours}")
        return {**DEFAULT_SLA_HOURS, **value}

    @field_validator("agent_label")
    @classmethod
    def _label(cls, value: str) -> str:
        if value and value.count("{}") != 1:
            raise ValueError("agent_label must contain {} once (e.g. 'agent:{}'), or be empty")
        return value

    def sla_for(self, priority: Priority | str) -> float:
        """Hours allowed for a ticket of this priority."""
        return self.sla_hours[Priority.parse(priority, "priority")]

    def label_for(self, agent: str) -> str | None:
        """The label that says ``agent`` owns a ticket (``None`` when switched off)."""
        return self.agent_label.format(agent) if self.agent_label else None


def load_settings(raw: dict[str, Any] | None = None) -> WorkflowSettings:
    """Settings from a raw ``[workflows]`` table (the defaults when ``None``).

    Raises ``ConfigError`` naming each bad ``workflows.<key>``.
    """
    try:
        return WorkflowSettings.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigError(
            "configuration: " + "; ".join(describe_config_errors(exc, "workflows"))
        ) from None
