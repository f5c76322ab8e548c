"""The shipped contract suite against the GitHub adapter and the loopback GitHub fake."""

from __future__ import annotations

from adapters.github import GitHubAdapter, GitHubConfig, GitHubService
from bridge.service import TicketingService
from tests.contract.fake_hookup import FakeTrackerContract, Route
from tests.fakes.base import FakeApp, FakeServer
from tests.fakes.github_fake import start_github_fake

ISSUES, ISSUE = r"/issues$", r"/issues/\d+$"
ROUTES: dict[str, Route] = {
    "create": ("POST", ISSUES),
    "get": ("GET", ISSUE),
    "update": ("PATCH", ISSUE),
    "add_comment": ("POST", r"/issues/\d+/comments$"),
    "list_comments": ("GET", r"/issues/\d+/comments$"),
    "list": ("GET", ISSUES),
    "find_by_key": ("GET", ISSUES),
    "changes_since": ("GET", ISSUES),
}


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


class TestGitHubContract(FakeTrackerContract):
    """The GitHub adapter passes the whole contract against the fake."""

    missing_id = "999999"
    routes = ROUTES

    def start_fake(self) -> tuple[FakeServer, FakeApp]:
        return start_github_fake()

    def adapter_for(self, url: str) -> GitHubAdapter:
        return github_service(url, timeout=self.timeout).adapter

    def test_hookup_is_the_github_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the github adapter."""
        assert service.adapter_name == "github"
        assert isinstance(service.adapter, GitHubAdapter)
