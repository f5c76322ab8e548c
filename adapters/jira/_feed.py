"""The Jira adapter's sync feed and its lookup by idempotency key, both searches."""

from __future__ import annotations

import builtins
import math
from datetime import datetime, timedelta
from typing import Any

from adapters.jira._client import JiraClient
from adapters.jira._config import JiraConfig
from adapters.jira._jql import And
from adapters.jira._mapping import bridge_property, issue_to_ticket, parse_comment
from bridge.feed import ChangeFeed
from bridge.models import Comment, Ticket, utcnow

__all__ = ["JiraFeed"]


class JiraFeed:
    """``changes_since`` and ``find_by_key`` for :class:`~adapters.jira.JiraAdapter`."""

    config: JiraConfig
    _client: JiraClient

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        raise NotImplementedError

    def _mapped(self) -> dict[str, str]:
        """Metadata keys read from fields (key -> field id)."""
        raise NotImplementedError

    sync_overlap = timedelta(seconds=60)

    @property
    def sync_scope(self) -> str:
        return f"jira:{self.config.server.rstrip('/')}/{self.config.project}"

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """Issues updated since ``since``, newest first, with their comments in the search.

        Jira has no ETags; the newest issue's key and ``updated`` stand in for one: while
        they are the same, nothing in the window changed, and the first page is all it costs.

        The window is a relative date ("-15m"): JQL reads absolute dates in the user's
        profile time zone, relative ones need no zone. Comments come in the search results;
        only an issue with more comments than the search carries costs a request of its own.
        """
        feed = ChangeFeed(watermark=utcnow())
        mapped = self._mapped()
        jql = And().eq("project", self.config.project)
        if since is not None:
            minutes = max(1, math.ceil((feed.watermark - since).total_seconds() / 60) + 1)
            jql.at_least("updated", f"-{minutes}m")
        pages = self._client.iter_search(
            jql.render("updated DESC"), self.config.page_size, ("comment",)
        )
        for number, issues in enumerate(pages):
            if number == 0 and issues:  # any edit puts its issue on top: the top is a validator
                top = f"{issues[0]['key']}@{issues[0]['fields'].get('updated')}"
                feed.validators = {"top": top}
                if (validators or {}).get("top") == top:
                    feed.not_modified = True
                    return feed
            for issue in issues:
                self._add_to_feed(feed, issue, mapped)
        return feed

    def _add_to_feed(self, feed: ChangeFeed, issue: dict[str, Any], mapped: dict[str, str]) -> None:
        """The issue's ticket, and its comments: from the search, or read when it left some out."""
        ticket = issue_to_ticket(issue, self.config, mapped)
        feed.tickets.append(ticket)
        block = issue["fields"].get("comment") or {}
        raw = block.get("comments")
        if raw is not None and len(raw) >= int(block.get("total", 0)):
            feed.comments += [parse_comment(c, ticket.id) for c in raw]
        elif block.get("total", 1):
            feed.comments += self.list_comments(ticket.id)

    def find_by_key(self, key: str) -> Ticket | None:
        """Scan recently created issues of the project for the key in the bridge's property."""
        jql = (
            And()
            .eq("project", self.config.project)
            .at_least("created", f"-{self.config.idempotency_lookback_days}d")
            .render("created DESC")
        )
        mapped = self._mapped()
        for issues in self._client.iter_search(jql, self.config.page_size):
            for issue in issues:
                if bridge_property(issue, self.config).get("key") == key:
                    return issue_to_ticket(issue, self.config, mapped)
        return None
