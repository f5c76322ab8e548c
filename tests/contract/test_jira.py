"""The shipped contract suite against the Jira adapter and the loopback Jira fake, both
deployments."""

from __future__ import annotations

from adapters.jira import JiraAdapter, JiraConfig, JiraService
from bridge.service import TicketingService
from tests.contract.fake_hookup import FakeTrackerContract, Route
from tests.fakes.base import FakeApp, FakeServer
from tests.fakes.jira_fake import start_jira_fake

ISSUE, COMMENTS, SEARCH = r"/issue/[A-Z]+-\d+$", r"/issue/[A-Z]+-\d+/comment$", r"/search(/jql)?$"
ROUTES: dict[str, Route] = {
    "create": ("POST", r"/issue$"),
    "get": ("GET", ISSUE),
    "update": ("PUT", ISSUE),
    "add_comment": ("POST", COMMENTS),
    "list_comments": ("GET", COMMENTS),
    "list": (None, SEARCH),
    "find_by_key": (None, SEARCH),
    "changes_since": (None, SEARCH),
}


def jira_service(
    url: str, mode: str = "cloud", project: str = "TB", **overrides: object
) -> JiraService:
    """A Jira adapter pointed at a fake."""
    settings: dict[str, object] = {"timeout": 5, **overrides}
    config = JiraConfig(server=url, project=project, deployment=mode, **settings)  # type: ignore[arg-type]
    return JiraService(config, email="bot@example.com", token="t0k")


class TestJiraCloudContract(FakeTrackerContract):
    """Jira Cloud (v3, /search/jql) passes the whole contract against the fake."""

    missing_id = "TB-999"
    routes = ROUTES
    mode = "cloud"

    def start_fake(self) -> tuple[FakeServer, FakeApp]:
        return start_jira_fake(self.mode)

    def adapter_for(self, url: str) -> JiraAdapter:
        return jira_service(url, self.mode, timeout=self.timeout).adapter

    def test_hookup_is_the_jira_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the Jira adapter, in this deployment."""
        assert service.adapter_name == "jira"
        assert isinstance(service.adapter, JiraAdapter)
        assert service.adapter.config.deployment == self.mode


class TestJiraServerContract(TestJiraCloudContract):
    """Jira Server/Data Center (v2, /search) passes the whole contract against the fake."""

    mode = "server"
