"""The GitHub Issues adapter, on PyGithub (imported when the adapter is first used)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.github._config import GitHubConfig

if TYPE_CHECKING:
    from adapters.github._adapter import GitHubAdapter
    from adapters.github._service import GitHubService

__all__ = ["GitHubAdapter", "GitHubConfig", "GitHubService"]


def __getattr__(name: str) -> Any:
    if name == "GitHubAdapter":
        from adapters.github._adapter import GitHubAdapter

        return GitHubAdapter
    if name == "GitHubService":
        from adapters.github._service import GitHubService

        return GitHubService
    raise AttributeError(f"module 'adapters.github' has no attribute {name!r}")
