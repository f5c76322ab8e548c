"""``GitHubService``: the ticketing API over one repository's issues."""

from __future__ import annotations

from adapters.github._adapter import GitHubAdapter
from adapters.github._config import GitHubConfig
from bridge.service import TicketingService

__all__ = ["GitHubService"]


class GitHubService(TicketingService):
    """``GitHubService(GitHubConfig(repo="owner/name"))``; the token from ``token_env``."""

    adapter: GitHubAdapter

    def __init__(self, config: GitHubConfig, *, token: str | None = None) -> None:
        super().__init__(GitHubAdapter(config, token=token))

    @property
    def config(self) -> GitHubConfig:
        """The validated ``[trackers.<name>]`` section."""
        return self.adapter.config
