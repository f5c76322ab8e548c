"""``JiraService``: the ticketing API over one Jira project."""

from __future__ import annotations

from adapters.jira._adapter import JiraAdapter
from adapters.jira._config import JiraConfig
from bridge.service import TicketingService

__all__ = ["JiraService"]


class JiraService(TicketingService):
    """``JiraService(JiraConfig(server=..., project=...))``; credentials from the environment."""

    adapter: JiraAdapter

    def __init__(
        self, config: JiraConfig, *, email: str | None = None, token: str | None = None
    ) -> None:
        super().__init__(JiraAdapter(config, email=email, token=token))

    @property
    def config(self) -> JiraConfig:
        """The validated ``[trackers.<name>]`` section."""
        return self.adapter.config
