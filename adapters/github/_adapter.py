"""``GitHubAdapter``: tickets as GitHub issues, on :class:`GitHubClient` and the pure mapping.

Requests per operation (see ``bench/api_calls.py``): get 1; create 1 (+1 with a parent,
+1 per dependency); comment 1; update 2 (read, then one PATCH); close with a resolution 3
(read, PATCH, the resolution comment); a list page of 100 issues 1; a repeated list with
nothing changed is a conditional request answered 304.
"""

from __future__ import annotations

import builtins
import logging
import os
from datetime import datetime, timedelta
from typing import Any, ClassVar

from adapters._paging import Cursor, fill_page
from adapters.github import _payload as payload
from adapters.github._client import (
    ALL_COMMENTS,
    BLOCKED_BY,
    BLOCKER,
    COMMENTS,
    ISSUE,
    ISSUES,
    SUB_ISSUE,
    SUB_ISSUES,
    GitHubClient,
)
from adapters.github._config import GitHubConfig
from adapters.github._mapping import (
    BODY_LIMIT,
    comment_body,
    create_payload,
    issue_to_ticket,
    list_params,
    number_from_url,
    parse_comment,
    plan_update,
    resolution_note,
    split_body,
    state_fields,
)
from adapters.github._payload import IssueIn
from bridge.contract import Adapter, Capabilities
from bridge.errors import (
    AuthError,
    InvalidError,
    NotFoundError,
    UnavailableError,
    already_landed,
)
from bridge.feed import ChangeFeed
from bridge.models import (
    Comment,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    utcnow,
)

__all__ = ["GitHubAdapter"]

log = logging.getLogger(__name__)


class GitHubAdapter(Adapter):
    """Tickets as issues of one GitHub repository."""

    name = "github"
    capabilities = Capabilities()
    Config: ClassVar[type[GitHubConfig]] = GitHubConfig

    def __init__(self, config: GitHubConfig, *, token: str | None = None) -> None:
        self.config = config
        secret = token if token is not None else os.environ.get(config.token_env)
        if not secret:
            raise AuthError(
                f"no GitHub token: set the environment variable {config.token_env}",
                adapter="github",
            )
        self._client = GitHubClient(config, secret)

    @classmethod
    def from_config(cls, config: GitHubConfig) -> GitHubAdapter:
        """Build the adapter a validated ``[trackers.<name>]`` section describes."""
        return cls(config)

    def __repr__(self) -> str:
        return f"<GitHubAdapter {self.config.repo} at {self.config.base_url}>"

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------ reading issues

    def _number(self, ticket_id: str) -> int:
        if not ticket_id.isdigit():
            raise NotFoundError(
                f"{ticket_id} is not a GitHub issue number", adapter="github", ticket_id=ticket_id
            )
        return int(ticket_id)

    def _issue(self, ticket_id: str) -> IssueIn:
        path = self._client.path(ISSUE, number=self._number(ticket_id))
        data, _ = self._client.request("GET", path, ticket_id=ticket_id)
        issue = payload.issue(data, ticket_id)
        if issue.is_pull_request:
            raise NotFoundError(
                f"#{ticket_id} is a pull request", adapter="github", ticket_id=ticket_id
            )
        home = issue.repository_url or ""
        if home and not home.endswith(self._client.repo_path):  # GitHub followed a 301
            where = "/".join(home.split("/")[-2:])
            raise NotFoundError(
                f"#{ticket_id} was transferred to {where}#{issue.number}",
                adapter="github",
                ticket_id=ticket_id,
            )
        return issue

    def _issue_id(self, ticket_id: str) -> int:
        """The integer id of an issue (the sub-issue and dependency endpoints take it)."""
        if ticket_id not in self._client.issue_ids:
            self._issue(ticket_id)
        return self._client.issue_ids[ticket_id]

    def _to_ticket(self, issue: IssueIn, parent_id: str | None = None) -> Ticket:
        """The ticket of an issue; its blockers are read when GitHub counts other ones than
        the body names (a person changed them on GitHub). Without a count (older answers,
        sub-issue lists) the body's list stands."""
        _, block = split_body(issue.body)
        deps = None
        summary = issue.issue_dependencies_summary
        if self.config.use_dependencies_api and summary and summary.total != len(block.deps):
            deps = self._blocked_by(str(issue.number))
        return issue_to_ticket(issue, self.config, deps, parent_id=parent_id)

    def _blocked_by(self, ticket_id: str) -> builtins.list[str]:
        path = self._client.path(BLOCKED_BY, number=ticket_id)
        blockers = payload.issues(self._client.pages(path, {}, ticket_id), ticket_id)
        return [str(i.number) for i in blockers]

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        parent_number = self._number(draft.parent_id) if draft.parent_id else None
        body = create_payload(self.config, draft)
        if parent_number is not None:
            self._issue_id(str(parent_number))  # the parent must exist before anything is made
        dep_ids = [self._issue_id(d) for d in draft.dependencies]
        data, _ = self._client.request("POST", self._client.path(ISSUES), body=body)
        with already_landed():
            return self._finish_create(draft, payload.issue(data), parent_number, dep_ids)

    def _finish_create(
        self,
        draft: TicketDraft,
        issue: IssueIn,
        parent_number: int | None,
        dep_ids: builtins.list[int],
    ) -> Ticket:
        """What GitHub takes only after the issue exists: its closed state, the sub-issue
        link and the blocked-by links."""
        ticket_id = str(issue.number)
        if draft.status.is_done:
            data, _ = self._client.request(
                "PATCH",
                self._client.path(ISSUE, number=ticket_id),
                body=state_fields(self.config, draft.status, draft.resolution),
                ticket_id=ticket_id,
            )
            issue = payload.issue(data, ticket_id)
        if parent_number is not None:
            self._client.request(
                "POST",
                self._client.path(SUB_ISSUES, number=parent_number),
                body={"sub_issue_id": issue.id},
                ticket_id=ticket_id,
            )
        self._add_blocked_by(ticket_id, dep_ids)
        parent = str(parent_number) if parent_number is not None else None
        return issue_to_ticket(issue, self.config, parent_id=parent)

    def _add_blocked_by(self, ticket_id: str, dep_ids: builtins.list[int]) -> None:
        if not self.config.use_dependencies_api:
            return
        for dep_id in dep_ids:
            self._client.request(
                "POST",
                self._client.path(BLOCKED_BY, number=ticket_id),
                body={"issue_id": dep_id},
                ticket_id=ticket_id,
            )

    def get(self, ticket_id: str) -> Ticket:
        return self._to_ticket(self._issue(ticket_id))

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        issue = self._issue(ticket_id)
        current = self._to_ticket(issue)
        updated = changes.apply_to(current)
        if updated is current:
            if current.status.is_done and changes.resolution and current.resolution:
                self._ensure_resolution_comment(ticket_id, current.resolution)
            return current
        updated, patch = plan_update(
            self.config, issue, current, updated, changes.given(), ticket_id
        )
        if patch:
            data, _ = self._client.request(
                "PATCH", self._client.path(ISSUE, number=ticket_id), body=patch, ticket_id=ticket_id
            )
            issue = payload.issue(data, ticket_id)
        self._reparent(ticket_id, current, updated)
        self._relink(ticket_id, current, updated)
        if (
            updated.status.is_done
            and updated.resolution
            and (updated.resolution != current.resolution or not current.status.is_done)
        ):
            self._client.request(
                "POST",
                self._client.path(COMMENTS, number=ticket_id),
                body={"body": resolution_note(updated.resolution)},
                ticket_id=ticket_id,
            )
        return updated.model_copy(
            update={"updated_at": issue_to_ticket(issue, self.config).updated_at}
        )

    def _ensure_resolution_comment(self, ticket_id: str, resolution: str) -> None:
        """Closing again with the same resolution: post its comment if an earlier attempt
        closed the issue but did not get to post it."""
        path = self._client.path(COMMENTS, number=ticket_id)
        text = resolution_note(resolution)
        posted = payload.comments(self._client.pages(path, {}, ticket_id), ticket_id)
        if not any(c.body == text for c in posted):
            self._client.request("POST", path, body={"body": text}, ticket_id=ticket_id)

    def _reparent(self, ticket_id: str, current: Ticket, updated: Ticket) -> None:
        if updated.parent_id == current.parent_id:
            return
        child_id = self._issue_id(ticket_id)
        if updated.parent_id is None:
            self._client.request(
                "DELETE",
                self._client.path(SUB_ISSUE, number=current.parent_id),
                body={"sub_issue_id": child_id},
                ticket_id=ticket_id,
            )
            return
        self._client.request(
            "POST",
            self._client.path(SUB_ISSUES, number=self._number(updated.parent_id)),
            body={"sub_issue_id": child_id, "replace_parent": current.parent_id is not None},
            ticket_id=ticket_id,
        )

    def _relink(self, ticket_id: str, current: Ticket, updated: Ticket) -> None:
        added = [d for d in updated.dependencies if d not in current.dependencies]
        removed = [d for d in current.dependencies if d not in updated.dependencies]
        self._add_blocked_by(ticket_id, [self._issue_id(d) for d in added])
        if not self.config.use_dependencies_api:
            return
        for dep in removed:
            self._client.request(
                "DELETE",
                self._client.path(BLOCKER, number=ticket_id, blocker=self._issue_id(dep)),
                ticket_id=ticket_id,
            )

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        text = comment_body(author, body, key)
        if len(text) > BODY_LIMIT:
            raise InvalidError(
                f"comment is longer than GitHub's {BODY_LIMIT} characters",
                adapter="github",
                ticket_id=ticket_id,
            )
        raw, _ = self._client.request(
            "POST",
            self._client.path(COMMENTS, number=self._number(ticket_id)),
            body={"body": text},
            ticket_id=ticket_id,
        )
        comment = parse_comment(payload.comment(raw, ticket_id), ticket_id)
        if comment is None:
            raise UnavailableError(
                "GitHub answered the new comment with another one", adapter="github"
            )
        return comment

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        path = self._client.path(COMMENTS, number=self._number(ticket_id))
        raw = payload.comments(self._client.pages(path, {}, ticket_id), ticket_id)
        parsed = (parse_comment(item, ticket_id) for item in raw)
        return [c for c in parsed if c is not None]

    def list(self, query: TicketQuery) -> TicketPage:
        """Issues oldest first, narrowed by GitHub's parameters, the rest filtered here; a
        cursor's position is the GitHub page number."""
        start = Cursor.parse(query.cursor, valid=str.isdigit)
        parent = query.parent_id
        if parent is not None:  # the items carry no parent_issue_url: the URL names it
            path = self._client.path(SUB_ISSUES, number=self._number(parent))
            params: dict[str, Any] = {}
        else:
            path, params = self._client.path(ISSUES), list_params(self.config, query)

        def fetch(position: str) -> tuple[builtins.list[Ticket], str | None]:
            number = int(position or 1)
            data, more = self._client.page(path, params, number, conditional=True)
            issues = payload.issues(data, parent)
            tickets = [self._to_ticket(i, parent) for i in issues if not i.is_pull_request]
            return tickets, str(number + 1) if more else None

        return fill_page(fetch, start, query.limit, query.matches)

    # ------------------------------------------------------------ sync feed

    sync_overlap = timedelta(seconds=5)

    @property
    def sync_scope(self) -> str:
        return f"github:{self.config.base_url.rstrip('/')}/{self.config.repo}"

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """Issues, then comments, updated since ``since``: newest first, 100 a page.

        Newest first makes the first page change whenever anything changes, so its ETag
        answers "nothing changed" in one conditional request per stream; an issue edited
        while the pages are read moves to the front and is read again next time.
        """
        old = validators or {}
        params: dict[str, Any] = {"sort": "updated", "direction": "desc"}
        if since is not None:
            params["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        issues, issues_tag, watermark = self._client.feed(
            self._client.path(ISSUES), {**params, "state": "all"}, old.get("issues")
        )
        comments, comments_tag, _ = self._client.feed(
            self._client.path(ALL_COMMENTS), params, old.get("comments")
        )
        feed = ChangeFeed(
            watermark=watermark,
            validators={k: v for k, v in (("issues", issues_tag), ("comments", comments_tag)) if v},
            not_modified=issues is None and comments is None,
        )
        changed = payload.issues(issues or [])
        feed.tickets = [self._to_ticket(i) for i in changed if not i.is_pull_request]
        for raw in payload.comments(comments or []):
            number = number_from_url(raw.issue_url)
            comment = parse_comment(raw, number) if number else None
            if comment is not None:
                feed.comments.append(comment)
        return feed

    def find_by_key(self, key: str) -> Ticket | None:
        """Scan issues updated within the look-back window, newest first, for the key."""
        since = utcnow() - timedelta(hours=self.config.idempotency_lookback_hours)
        params = {
            "state": "all",
            "sort": "updated",
            "direction": "desc",
            "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for page in self._client.iter_pages(self._client.path(ISSUES), params):
            for issue in payload.issues(page):
                if split_body(issue.body)[1].key == key and not issue.is_pull_request:
                    return self._to_ticket(issue)
        return None
