"""The Jira adapter (Cloud and Server/Data Center), on the jira library (imported when the
adapter is first used)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.jira._config import JiraConfig

if TYPE_CHECKING:
    from adapters.jira._adapter import JiraAdapter
    from adapters.jira._service import JiraService

__all__ = ["JiraAdapter", "JiraConfig", "JiraService"]


def __getattr__(name: str) -> Any:
    if name == "JiraAdapter":
        from adapters.jira._adapter import JiraAdapter

        return JiraAdapter
    if name == "JiraService":
        from adapters.jira._service import JiraService

        return JiraService
    raise AttributeError(f"module 'adapters.jira' has no attribute {name!r}")
