"""``[workflows]``: the PM layer's rules, all with the guide's defaults."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bridge.models import Priority

__all__ = ["WorkflowSettings", "load_settings"]

DEFAULT_AGENT_KEYWORDS: dict[str, list[str]] = {
    "documentation": ["docs", "changelog", "readme"],
    "engineer": ["implement", "fix", "refactor"],
    "qa": ["test", "validate", "verify"],
    "research": ["investigate", "analyze", "explore"],
}


class WorkflowSettings(BaseModel):
    """Thresholds, words and limits the orchestrator and helper work by."""

    model_config = ConfigDict(extra="forbid")

    auto_ticket_threshold: int = Field(default=3, ge=1)
    coordination_words: list[str] = Field(default_factory=lambda: ["coordinate", "multi-agent"])
    sla_hours: dict[Priority, float] = Field(
        default_factory=lambda: {
            Priority.CRITICAL: 4.0,
            Priority.HIGH: 24.0,
            Priority.MEDIUM: 48.0,
            Priority.LOW: 120.0,
        }
    )
    max_open: int = Field(default=3, ge=1, description="an agent is available below this")
    capacity: int = Field(default=5, ge=1, description="open + in progress an agent can carry")
    agent_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_AGENT_KEYWORDS.items()}
    )

    def sla_for(self, priority: Priority | str) -> float:
        """Hours allowed for a ticket of this priority."""
        return float(self.sla_hours.get(Priority.parse(priority, "priority"), 48))


def load_settings(raw: dict[str, Any] | None = None) -> WorkflowSettings:
    """Settings from a raw ``[workflows]`` table (the discovered config's by default)."""
    if raw is None:
        from bridge.config import load_config

        raw = load_config().workflows
    return WorkflowSettings.model_validate(raw)
