"""``GitHubService``: tickets as GitHub issues, through PyGithub's requester.

Requests per operation (see ``bench/api_calls.py``): get 1; create 1 (+1 with a parent,
+1 per dependency); comment 1; update 2 (read, then one PATCH); close with a resolution 3
(read, PATCH, the resolution comment); a list page of 100 issues 1; a repeated list with
nothing changed is a conditional request answered 304.
"""

from __future__ import annotations

import builtins
import json
import logging
import math
import os
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

from adapters.github._config import GitHubConfig
from adapters.github._errors import error_for_status, translate
from adapters.github._mapping import (
    RESOLUTION_MARK,
    Block,
    comment_body,
    compose_body,
    issue_to_ticket,
    labels_for,
    parse_comment,
    split_body,
)
from bridge.contract import Adapter, Capabilities
from bridge.errors import AuthError, InvalidError, NotFoundError
from bridge.feed import ChangeFeed
from bridge.models import (
    Comment,
    Status,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    utcnow,
)

__all__ = ["GitHubAdapter"]

log = logging.getLogger(__name__)
BODY_LIMIT = 65_536
_OPEN = {Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED}


class GitHubAdapter(Adapter):
    """Tickets as issues of one GitHub repository."""

    name = "github"
    capabilities = Capabilities()
    Config: ClassVar[type[GitHubConfig]] = GitHubConfig

    def __init__(self, config: GitHubConfig, *, token: str | None = None) -> None:
        import github

        self.config = config
        secret = token if token is not None else os.environ.get(config.token_env)
        if not secret:
            raise AuthError(
                f"no GitHub token: set the environment variable {config.token_env}",
                adapter="github",
            )
        self._gh = github.Github(
            auth=github.Auth.Token(secret),
            base_url=config.base_url,
            timeout=max(1, math.ceil(config.timeout)),  # PyGithub insists on whole seconds
            retry=None,
            per_page=100,
            seconds_between_requests=config.seconds_between_requests,
            seconds_between_writes=config.seconds_between_writes,
        )
        self._requester = self._gh.requester
        self._repo_path = f"/repos/{config.repo}"
        self._ids: dict[str, int] = {}
        self._etags: OrderedDict[str, tuple[str, Any, dict[str, Any]]] = OrderedDict()

    @classmethod
    def from_config(cls, config: GitHubConfig) -> GitHubAdapter:
        """Build the adapter a validated ``[trackers.<name>]`` section describes."""
        return cls(config)

    def __repr__(self) -> str:
        return f"<GitHubAdapter {self.config.repo} at {self.config.base_url}>"

    def close(self) -> None:
        self._gh.close()

    # ------------------------------------------------------------ HTTP

    def _request(
        self,
        verb: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        ticket_id: str | None = None,
        conditional: bool = False,
    ) -> tuple[Any, dict[str, Any]]:
        """One request; errors become bridge errors; a cached 304 answers a conditional GET."""
        write = verb != "GET"
        cache_key = f"{path}?{json.dumps(params, sort_keys=True)}"
        headers: dict[str, str] = {}
        cached = self._etags.get(cache_key) if conditional else None
        if cached:
            headers["If-None-Match"] = cached[0]
        with translate(ticket_id, write=write):
            status, raw_headers, output = self._requester.requestJson(
                verb, path, parameters=params, headers=headers, input=body
            )
        resp_headers = {k.lower(): v for k, v in raw_headers.items()}
        if status == 304 and cached:
            return cached[1], cached[2]
        data = json.loads(output) if output else None
        if status >= 400:
            raise error_for_status(status, resp_headers, data, ticket_id=ticket_id, write=write)
        if conditional and "etag" in resp_headers:
            self._etags[cache_key] = (resp_headers["etag"], data, resp_headers)
            while len(self._etags) > 256:
                self._etags.popitem(last=False)
        self._learn(data)
        return data, resp_headers

    def _learn(self, data: Any) -> None:
        """Remember number -> integer id of every issue seen (sub-issue calls need the id)."""
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and "number" in item and "id" in item:
                self._ids[str(item["number"])] = int(item["id"])

    def _number(self, ticket_id: str) -> int:
        if not ticket_id.isdigit():
            raise NotFoundError(
                f"{ticket_id} is not a GitHub issue number", adapter="github", ticket_id=ticket_id
            )
        return int(ticket_id)

    def _issue(self, ticket_id: str) -> dict[str, Any]:
        data, _ = self._request(
            "GET", f"{self._repo_path}/issues/{self._number(ticket_id)}", ticket_id=ticket_id
        )
        if "pull_request" in data:
            raise NotFoundError(
                f"#{ticket_id} is a pull request", adapter="github", ticket_id=ticket_id
            )
        home = str(data.get("repository_url") or "")
        if home and not home.endswith(self._repo_path):  # GitHub followed a 301: transferred
            where = "/".join(home.split("/")[-2:])
            raise NotFoundError(
                f"#{ticket_id} was transferred to {where}#{data.get('number')}",
                adapter="github",
                ticket_id=ticket_id,
            )
        return dict(data)

    def _issue_id(self, ticket_id: str) -> int:
        if ticket_id not in self._ids:
            self._issue(ticket_id)
        return self._ids[ticket_id]

    def _pages(
        self, path: str, params: dict[str, Any], ticket_id: str | None = None
    ) -> builtins.list[Any]:
        items: builtins.list[Any] = []
        page = 1
        while True:
            data, headers = self._request(
                "GET", path, params={**params, "per_page": 100, "page": page}, ticket_id=ticket_id
            )
            items.extend(data)
            if 'rel="next"' not in headers.get("link", ""):
                return items
            page += 1

    # ------------------------------------------------------------ mapping helpers

    def _to_ticket(self, issue: dict[str, Any]) -> Ticket:
        _, block = split_body(issue.get("body"))
        deps = None
        summary = issue.get("issue_dependencies_summary") or {}
        if self.config.use_dependencies_api and summary.get("blocked_by", 0) != len(block.deps):
            deps = self._blocked_by(str(issue["number"]))  # changed on GitHub by a person
        return issue_to_ticket(issue, self.config, deps)

    def _blocked_by(self, ticket_id: str) -> builtins.list[str]:
        path = f"{self._repo_path}/issues/{ticket_id}/dependencies/blocked_by"
        return [str(i["number"]) for i in self._pages(path, {}, ticket_id)]

    def _body(self, description: str, block: Block, ticket_id: str | None = None) -> str:
        body = compose_body(description, block)
        if len(body) > BODY_LIMIT:
            raise InvalidError(
                f"the issue body would be {len(body)} characters (description "
                f"{len(description)} plus {len(body) - len(description)} of metadata); GitHub "
                f"allows {BODY_LIMIT}",
                adapter="github",
                ticket_id=ticket_id,
            )
        return body

    def _state(self, status: Status, resolution: str | None) -> dict[str, Any]:
        if status in _OPEN:
            return {"state": "open"}
        words = (resolution or "").lower()
        not_planned = status is Status.CLOSED and any(
            w in words for w in self.config.not_planned_words
        )
        return {"state": "closed", "state_reason": "not_planned" if not_planned else "completed"}

    def _assignees(self, assignee: str | None) -> builtins.list[str]:
        login = self.config.assignee_map.get(assignee or "")
        return [login] if login else []

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        parent_number = self._number(draft.parent_id) if draft.parent_id else None
        block = Block(
            status=draft.status.value if draft.status.is_done else None,
            metadata=draft.metadata,
            key=draft.idempotency_key,
            resolution=draft.resolution,
            deps=list(draft.dependencies),
            type=draft.type.value,
            labels=list(draft.labels),
        )
        payload: dict[str, Any] = {
            "title": draft.title,
            "body": self._body(draft.description, block),
            "labels": labels_for(
                self.config,
                user_labels=draft.labels,
                priority=draft.priority,
                status=draft.status,
                kind=draft.type,
                assignee=draft.assignee,
            ),
        }
        if assignees := self._assignees(draft.assignee):
            payload["assignees"] = assignees
        if self.config.use_issue_types:
            payload["type"] = self.config.issue_types[draft.type]
        if parent_number is not None:
            self._issue_id(str(parent_number))  # the parent must exist before anything is made
        dep_ids = [self._issue_id(d) for d in draft.dependencies]
        issue, _ = self._request("POST", f"{self._repo_path}/issues", body=payload)
        ticket_id = str(issue["number"])
        if draft.status.is_done:
            issue, _ = self._request(
                "PATCH",
                f"{self._repo_path}/issues/{ticket_id}",
                body=self._state(draft.status, draft.resolution),
                ticket_id=ticket_id,
            )
        if parent_number is not None:
            self._request(
                "POST",
                f"{self._repo_path}/issues/{parent_number}/sub_issues",
                body={"sub_issue_id": int(issue["id"])},
                ticket_id=ticket_id,
            )
            issue["parent_issue_url"] = f"{self._repo_path}/issues/{parent_number}"
        self._add_blocked_by(ticket_id, dep_ids)
        if dep_ids:
            issue["issue_dependencies_summary"] = {"blocked_by": len(dep_ids)}
        return issue_to_ticket(issue, self.config)

    def _add_blocked_by(self, ticket_id: str, dep_ids: builtins.list[int]) -> None:
        if not self.config.use_dependencies_api:
            return
        for dep_id in dep_ids:
            self._request(
                "POST",
                f"{self._repo_path}/issues/{ticket_id}/dependencies/blocked_by",
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
        description, block = split_body(issue.get("body"))
        given = changes.given()
        if "labels" in given:  # labels a person added on GitHub are never taken away
            by_person = [lb for lb in current.labels if lb not in block.labels]
            updated = updated.model_copy(
                update={"labels": list(dict.fromkeys([*updated.labels, *by_person]))}
            )
        new_block = Block(
            status=updated.status.value if updated.status.is_done else None,
            metadata=updated.metadata,
            key=block.key,
            resolution=updated.resolution if updated.status.is_done else None,
            deps=list(updated.dependencies),
            type=updated.type.value,
            labels=[
                lb for lb in updated.labels if lb in block.labels or lb in given.get("labels", [])
            ],
        )
        patch: dict[str, Any] = {}
        if updated.title != current.title:
            patch["title"] = updated.title
        new_description = updated.description if "description" in given else description
        body = self._body(new_description, new_block, ticket_id)
        if body != (issue.get("body") or ""):
            patch["body"] = body
        owned_now = [lb["name"] for lb in issue.get("labels", [])]
        labels = labels_for(
            self.config,
            user_labels=updated.labels,
            priority=updated.priority,
            status=updated.status,
            kind=updated.type,
            assignee=updated.assignee,
        )
        if set(labels) != set(owned_now):
            patch["labels"] = labels
        if updated.assignee != current.assignee:
            patch["assignees"] = self._assignees(updated.assignee)
        if self.config.use_issue_types and updated.type != current.type:
            patch["type"] = self.config.issue_types[updated.type]
        state = self._state(updated.status, updated.resolution)
        if state["state"] != issue.get("state") or (
            state.get("state_reason") and state.get("state_reason") != issue.get("state_reason")
        ):
            patch.update(state)
        if patch:
            issue, _ = self._request(
                "PATCH", f"{self._repo_path}/issues/{ticket_id}", body=patch, ticket_id=ticket_id
            )
        self._relink(ticket_id, current, updated)
        if (
            updated.status.is_done
            and updated.resolution
            and (updated.resolution != current.resolution or not current.status.is_done)
        ):
            self._request(
                "POST",
                f"{self._repo_path}/issues/{ticket_id}/comments",
                body={"body": f"{RESOLUTION_MARK}\n**Resolution:** {updated.resolution}"},
                ticket_id=ticket_id,
            )
        return updated.model_copy(
            update={"updated_at": issue_to_ticket(issue, self.config).updated_at}
        )

    def _ensure_resolution_comment(self, ticket_id: str, resolution: str) -> None:
        """Closing again with the same resolution: post its comment if an earlier attempt
        closed the issue but did not get to post it."""
        path = f"{self._repo_path}/issues/{ticket_id}/comments"
        text = f"{RESOLUTION_MARK}\n**Resolution:** {resolution}"
        if not any(c.get("body") == text for c in self._pages(path, {}, ticket_id)):
            self._request("POST", path, body={"body": text}, ticket_id=ticket_id)

    def _relink(self, ticket_id: str, current: Ticket, updated: Ticket) -> None:
        if updated.parent_id != current.parent_id:
            child_id = self._issue_id(ticket_id)
            if updated.parent_id is None:
                self._request(
                    "DELETE",
                    f"{self._repo_path}/issues/{current.parent_id}/sub_issue",
                    body={"sub_issue_id": child_id},
                    ticket_id=ticket_id,
                )
            else:
                parent = self._number(updated.parent_id)
                replace = current.parent_id is not None
                self._request(
                    "POST",
                    f"{self._repo_path}/issues/{parent}/sub_issues",
                    body={"sub_issue_id": child_id, "replace_parent": replace},
                    ticket_id=ticket_id,
                )
        added = [d for d in updated.dependencies if d not in current.dependencies]
        removed = [d for d in current.dependencies if d not in updated.dependencies]
        self._add_blocked_by(ticket_id, [self._issue_id(d) for d in added])
        if self.config.use_dependencies_api:
            for dep in removed:
                self._request(
                    "DELETE",
                    f"{self._repo_path}/issues/{ticket_id}/dependencies/blocked_by/"
                    f"{self._issue_id(dep)}",
                    ticket_id=ticket_id,
                )

    def add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        text = comment_body(author, body)
        if len(text) > BODY_LIMIT:
            raise InvalidError(
                f"comment is longer than GitHub's {BODY_LIMIT} characters",
                adapter="github",
                ticket_id=ticket_id,
            )
        raw, _ = self._request(
            "POST",
            f"{self._repo_path}/issues/{self._number(ticket_id)}/comments",
            body={"body": text},
            ticket_id=ticket_id,
        )
        comment = parse_comment(raw, ticket_id)
        assert comment is not None
        return comment

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        path = f"{self._repo_path}/issues/{self._number(ticket_id)}/comments"
        parsed = (parse_comment(raw, ticket_id) for raw in self._pages(path, {}, ticket_id))
        return [c for c in parsed if c is not None]

    def list(self, query: TicketQuery) -> TicketPage:
        page, skip = _parse_cursor(query.cursor)
        if query.parent_id is not None:
            path = f"{self._repo_path}/issues/{self._number(query.parent_id)}/sub_issues"
            params: dict[str, Any] = {}
        else:
            path, params = f"{self._repo_path}/issues", self._list_params(query)
        found: builtins.list[Ticket] = []
        while True:
            data, headers = self._request(
                "GET", path, params={**params, "per_page": 100, "page": page}, conditional=True
            )
            issues = [i for i in data if "pull_request" not in i]
            matching = [t for t in (self._to_ticket(i) for i in issues) if query.matches(t)]
            for index, ticket in enumerate(matching[skip:], start=skip):
                if len(found) == query.limit:
                    return TicketPage(found, next_cursor=f"{page}.{index}")
                found.append(ticket)
            has_next = 'rel="next"' in headers.get("link", "")
            if not has_next:
                return TicketPage(found)
            page, skip = page + 1, 0
            if len(found) == query.limit:
                return TicketPage(found, next_cursor=f"{page}.0")

    def _list_params(self, query: TicketQuery) -> dict[str, Any]:
        statuses = set(query.status)
        state = "all"
        if statuses and statuses <= _OPEN:
            state = "open"
        elif statuses and not statuses & _OPEN:
            state = "closed"
        labels = list(query.labels)
        if len(query.priority) == 1:
            labels.append(self.config.priority_labels[query.priority[0]])
        if len(statuses) == 1 and (only := next(iter(statuses))) in self.config.status_labels:
            labels.append(self.config.status_labels[only])
        if query.assignee:
            labels.append(self.config.agent_label.format(query.assignee))
        params: dict[str, Any] = {"state": state, "sort": "created", "direction": "asc"}
        if labels:
            params["labels"] = ",".join(labels)
        if query.updated_since is not None:
            params["since"] = query.updated_since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return params

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
        issues, issues_tag, watermark = self._feed(
            f"{self._repo_path}/issues", {**params, "state": "all"}, old.get("issues")
        )
        comments, comments_tag, _ = self._feed(
            f"{self._repo_path}/issues/comments", params, old.get("comments")
        )
        feed = ChangeFeed(
            watermark=watermark,
            validators={k: v for k, v in (("issues", issues_tag), ("comments", comments_tag)) if v},
            not_modified=issues is None and comments is None,
        )
        feed.tickets = [self._to_ticket(i) for i in issues or () if "pull_request" not in i]
        for raw in comments or ():
            number = str(raw.get("issue_url", "")).rsplit("/", 1)[-1]
            comment = parse_comment(raw, number) if number.isdigit() else None
            if comment is not None:
                feed.comments.append(comment)
        return feed

    def _feed(
        self, path: str, params: dict[str, Any], etag: str | None
    ) -> tuple[builtins.list[Any] | None, str | None, datetime]:
        """Every page of a list, or ``None`` when the first page is unchanged (304)."""
        items: builtins.list[Any] = []
        page, first_tag, watermark = 1, etag, utcnow()
        while True:
            headers = {"If-None-Match": etag} if etag and page == 1 else {}
            with translate(None, write=False):
                status, raw_headers, output = self._requester.requestJson(
                    "GET",
                    path,
                    parameters={**params, "per_page": 100, "page": page},
                    headers=headers,
                )
            resp = {k.lower(): v for k, v in raw_headers.items()}
            if page == 1:
                watermark = _server_time(resp) or watermark
                first_tag = resp.get("etag", first_tag)
            if status == 304:
                return None, first_tag, watermark
            data = json.loads(output) if output else None
            if status >= 400:
                raise error_for_status(status, resp, data, ticket_id=None, write=False)
            self._learn(data)
            items.extend(data or ())
            if 'rel="next"' not in resp.get("link", ""):
                return items, first_tag, watermark
            page += 1

    def find_by_key(self, key: str) -> Ticket | None:
        """Scan issues updated within the look-back window, newest first, for the key."""
        since = utcnow() - timedelta(hours=self.config.idempotency_lookback_hours)
        params = {
            "state": "all",
            "sort": "updated",
            "direction": "desc",
            "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        page = 1
        while True:
            data, headers = self._request(
                "GET", f"{self._repo_path}/issues", params={**params, "per_page": 100, "page": page}
            )
            for issue in data:
                if split_body(issue.get("body"))[1].key == key:
                    return self._to_ticket(issue)
            if 'rel="next"' not in headers.get("link", ""):
                return None
            page += 1


def _server_time(headers: dict[str, Any]) -> datetime | None:
    try:
        return parsedate_to_datetime(str(headers["date"])).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return None


def _parse_cursor(cursor: str | None) -> tuple[int, int]:
    if cursor is None:
        return 1, 0
    page, _, skip = cursor.partition(".")
    if not (page.isdigit() and skip.isdigit()):
        raise InvalidError(f"invalid cursor {cursor!r}: pass a page's next_cursor back as it is")
    return int(page), int(skip)
