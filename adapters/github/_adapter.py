"""``GitHubAdapter``: tickets as GitHub issues, on :class:`GitHubClient` and the pure mapping.

Requests per operation (see ``bench/api_calls.py``): get 1; create 1 (+1 with a parent,
+1 per dependency); comment 1; update 2 (read, then one PATCH); close with a resolution 3
(read, PATCH, the resolution comment); a list page of 100 issues 1; a repeated list with
nothing changed is a conditional request answered 304. With ``priority_field``,
``field_map`` or ``use_issue_types``, the organisation's issue fields and types are read
once per run (:mod:`adapters.github._fields`); the values travel in the same create or
update request, and a value GitHub dropped costs one more PATCH, once a run.
"""

from __future__ import annotations

import builtins
import logging
import os
from datetime import datetime, timedelta
from typing import Any, ClassVar

from adapters._paging import Cursor, fill_page
from adapters.github import _payload as payload
from adapters.github._body import new_note_key, note_key_of
from adapters.github._client import (
    ALL_COMMENTS,
    COMMENTS,
    FIELD_VALUE,
    ISSUE,
    ISSUES,
    SUB_ISSUES,
    GitHubClient,
)
from adapters.github._config import GitHubConfig
from adapters.github._field_values import FieldDef, Routing, dropped_fields
from adapters.github._fields import OrgFields
from adapters.github._links import Links
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
from bridge.fields import FieldInfo
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
        self._links = Links(config, self._client, self._issue_id)
        self._org = OrgFields(config, self._client)

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
            deps = self._links.blocked_by(str(issue.number))
        return issue_to_ticket(issue, self.config, deps, parent_id=parent_id)

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        parent_number = self._number(draft.parent_id) if draft.parent_id else None
        routing = self._org.routing()
        if self.config.use_issue_types:
            self._org.check_type(self.config.issue_types[draft.type])
        body = create_payload(self.config, draft, routing)
        if parent_number is not None:
            self._issue_id(str(parent_number))  # the parent must exist before anything is made
        dep_ids = [self._issue_id(d) for d in draft.dependencies]
        data, _ = self._client.request("POST", self._client.path(ISSUES), body=body)
        with already_landed():
            issue = payload.issue(data)
            if self._dropped(routing, body, issue):  # the label and the body take them
                redo = create_payload(self.config, draft)
                issue = self._patch(str(issue.number), {k: redo[k] for k in ("labels", "body")})
            return self._finish_create(draft, issue, parent_number, dep_ids)

    def _dropped(self, routing: Routing, sent: dict[str, Any], issue: IssueIn) -> bool:
        """Whether GitHub's answer lacks field values it was sent (noticed once a run)."""
        values = {v["field_id"]: v["value"] for v in sent.get("issue_field_values", [])}
        lost = dropped_fields(routing, values, issue) if values else []
        if lost:
            self._org.notice_drop(lost, str(issue.number))
        return bool(lost)

    def _patch(self, ticket_id: str, body: dict[str, Any]) -> IssueIn:
        path = self._client.path(ISSUE, number=ticket_id)
        data, _ = self._client.request("PATCH", path, body=body, ticket_id=ticket_id)
        return payload.issue(data, ticket_id)

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
            issue = self._patch(
                ticket_id, state_fields(self.config, draft.status, draft.resolution)
            )
        if parent_number is not None:
            self._client.request(
                "POST",
                self._client.path(SUB_ISSUES, number=parent_number),
                body={"sub_issue_id": issue.id},
                ticket_id=ticket_id,
            )
        self._links.add_blocked_by(ticket_id, dep_ids)
        parent = str(parent_number) if parent_number is not None else None
        return issue_to_ticket(issue, self.config, parent_id=parent)

    def get(self, ticket_id: str) -> Ticket:
        return self._to_ticket(self._issue(ticket_id))

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        issue = self._issue(ticket_id)
        current = self._to_ticket(issue)
        updated = changes.apply_to(current)
        if updated is current:
            if current.status.is_done and changes.resolution and current.resolution:
                note = split_body(issue.body)[1].note
                self._ensure_resolution_comment(ticket_id, current.resolution, note)
            return current
        routing = self._org.routing()
        if self.config.use_issue_types and updated.type != current.type:
            self._org.check_type(self.config.issue_types[updated.type])
        posts_note = bool(updated.status.is_done and updated.resolution) and (
            updated.resolution != current.resolution or not current.status.is_done
        )
        note = new_note_key() if posts_note else None
        given = changes.given()
        updated, patch, to_clear = plan_update(
            self.config, issue, current, updated, given, ticket_id, routing, note
        )
        if patch:
            issue = self._patch(ticket_id, patch)
            if self._dropped(routing, patch, issue):
                _, redo, _ = plan_update(
                    self.config, issue, current, updated, given, ticket_id, note=note
                )
                issue = self._patch(ticket_id, redo) if redo else issue
        self._clear_fields(ticket_id, to_clear)
        parent = self._number(updated.parent_id) if updated.parent_id else None
        self._links.reparent(ticket_id, current, updated, parent)
        self._links.relink(ticket_id, current, updated)
        if note is not None and updated.resolution:
            self._client.request(
                "POST",
                self._client.path(COMMENTS, number=ticket_id),
                body={"body": resolution_note(updated.resolution, note)},
                ticket_id=ticket_id,
            )
        return updated.model_copy(
            update={"updated_at": issue_to_ticket(issue, self.config).updated_at}
        )

    def _clear_fields(self, ticket_id: str, fields: builtins.list[FieldDef]) -> None:
        """Remove the values of mapped fields whose metadata key was removed."""
        for fdef in fields:
            path = self._client.path(FIELD_VALUE, number=ticket_id, field_id=fdef.id)
            self._client.request("DELETE", path, ticket_id=ticket_id)

    def _ensure_resolution_comment(self, ticket_id: str, resolution: str, note: str | None) -> None:
        """Closing again with the same resolution: post its note if an earlier attempt
        closed the issue but did not get to post it. The note is found by the closing's key
        (``note``, from the issue body), so a note an earlier closing left does not count;
        an issue closed before notes had keys is matched by the note's text."""
        path = self._client.path(COMMENTS, number=ticket_id)
        text = resolution_note(resolution, note)
        posted = payload.comments(self._client.pages(path, {}, ticket_id), ticket_id)
        if note is not None:
            found = any(note_key_of(c.body) == note for c in posted)
        else:
            found = any(c.body == text for c in posted)
        if not found:
            self._client.request("POST", path, body={"body": text}, ticket_id=ticket_id)

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

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        """The organisation's issue fields (and its issue types as ``type``), read once a run;
        ``UnsupportedError`` where the owner is a user or has neither."""
        return self._org.infos(issue_type)

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
