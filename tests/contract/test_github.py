"""The contract suite against the GitHub adapter and the loopback GitHub fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.github import GitHubConfig, GitHubService
from bridge.service import TicketingService
from tests.contract.suite import ContractSuite
from tests.fakes.github_fake import start_github_fake


def github_service(url: str, token: str = "t0ken", **overrides: object) -> GitHubService:
    """A GitHub adapter pointed at a fake, without throttling."""
    settings: dict[str, object] = {"timeout": 5, **overrides}
    config = GitHubConfig(
        repo="octo/tickets",
        base_url=f"{url}/api/v3",
        seconds_between_requests=None,
        seconds_between_writes=None,
        **settings,  # type: ignore[arg-type]
    )
    return GitHubService(config, token=token)


class TestGitHubContract(ContractSuite):
    """The GitHub adapter passes the whole contract against the fake."""

    missing_id = "999999"

    @pytest.fixture
    def service(self) -> Iterator[TicketingService]:
        server, _ = start_github_fake()
        service = github_service(server.url)
        yield service
        service.close()
        server.stop()

    def test_hookup_is_the_github_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the github adapter."""
        assert service.adapter_name == "github"
