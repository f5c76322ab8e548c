"""The GitHub Issues adapter, on PyGithub."""

from adapters.github._config import GitHubConfig
from adapters.github._service import GitHubService

__all__ = ["GitHubConfig", "GitHubService"]
