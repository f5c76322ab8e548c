"""The contract suite against the Jira adapter and the loopback Jira fake, both deployments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.jira import JiraConfig, JiraService
from bridge.service import TicketingService
from tests.contract.suite import ContractSuite
from tests.fakes.jira_fake import start_jira_fake


def jira_service(
    url: str, mode: str = "cloud", project: str = "TB", **overrides: object
) -> JiraService:
    """A Jira adapter pointed at a fake."""
    settings: dict[str, object] = {"timeout": 5, **overrides}
    config = JiraConfig(server=url, project=project, deployment=mode, **settings)  # type: ignore[arg-type]
    return JiraService(config, email="bot@example.com", token="t0k")


class TestJiraCloudContract(ContractSuite):
    """Jira Cloud (v3, /search/jql) passes the whole contract against the fake."""

    missing_id = "TB-999"
    mode = "cloud"

    @pytest.fixture
    def service(self) -> Iterator[TicketingService]:
        server, _ = start_jira_fake(self.mode)
        service = jira_service(server.url, self.mode)
        yield service
        service.close()
        server.stop()

    def test_hookup_is_the_jira_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the Jira adapter, in this deployment."""
        assert service.adapter_name == "jira"
        assert service.config.deployment == self.mode  # type: ignore[attr-defined]


class TestJiraServerContract(TestJiraCloudContract):
    """Jira Server/Data Center (v2, /search) passes the whole contract against the fake."""

    mode = "server"
