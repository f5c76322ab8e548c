"""The Jira adapter (Cloud and Server/Data Center), on the jira library."""

from adapters.jira._config import JiraConfig
from adapters.jira._service import JiraService

__all__ = ["JiraConfig", "JiraService"]
