"""``JiraService``: tickets as Jira issues of one project, through the jira library's session.

Requests per operation (see ``bench/api_calls.py``): create 1 (priority, labels, parent and
metadata in the one request); get 1 (the bridge's entity property comes with the issue);
comment 1; a status change 2 once the workflow is known (read, transition); a page of up to
100 issues 1.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
from datetime import datetime, timedelta
from typing import Any, ClassVar

from adapters.jira._config import JiraConfig
from adapters.jira._errors import error_for_response, translate
from adapters.jira._jql import And
from adapters.jira._mapping import (
    FIELDS,
    adf,
    comment_text,
    issue_to_ticket,
    parse_comment,
)
from adapters.jira._workflow import Workflow
from bridge.contract import Adapter, Capabilities
from bridge.errors import AuthError, InvalidError, NotFoundError, UnsupportedError
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

__all__ = ["JiraAdapter"]

log = logging.getLogger(__name__)


class JiraAdapter(Adapter):
    """Tickets as issues of one Jira project (Cloud or Server/Data Center)."""

    name = "jira"
    capabilities = Capabilities(nested_subtasks=False)
    Config: ClassVar[type[JiraConfig]] = JiraConfig

    def __init__(
        self, config: JiraConfig, *, email: str | None = None, token: str | None = None
    ) -> None:
        from jira import JIRA

        self.config = config
        secret = token if token is not None else os.environ.get(config.token_env)
        if not secret:
            raise AuthError(
                f"no Jira token: set the environment variable {config.token_env}", adapter="jira"
            )
        cloud = config.deployment == "cloud"
        options: dict[str, Any] = {"rest_api_version": "3" if cloud else "2"}
        if cloud:
            user = email if email is not None else os.environ.get(config.email_env)
            if not user:
                raise AuthError(
                    f"no Jira account email: set the environment variable {config.email_env}",
                    adapter="jira",
                )
            auth: dict[str, Any] = {"basic_auth": (user, secret)}
        else:
            auth = {"token_auth": secret}
        self._jira = JIRA(
            server=config.server,
            options=options,
            get_server_info=False,
            max_retries=0,
            timeout=config.timeout,
            **auth,
        )
        self._session = self._jira._session
        self._api = f"{config.server}/rest/api/{'3' if cloud else '2'}"
        self._cloud = cloud
        self._workflow = Workflow()
        self._statuses: set[str] | None = None
        self._types: dict[str, str] = {}

    @classmethod
    def from_config(cls, config: JiraConfig) -> JiraAdapter:
        """Build the adapter a validated ``[trackers.<name>]`` section describes."""
        return cls(config)

    def __repr__(self) -> str:
        return f"<JiraAdapter {self.config.project} at {self.config.server}>"

    def close(self) -> None:
        closing: Any = self._jira.close  # the jira library leaves close() unannotated
        closing()

    # ------------------------------------------------------------ HTTP

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        ticket_id: str | None = None,
    ) -> Any:
        write = method != "GET"
        with translate(ticket_id, write=write):
            response = self._session.request(method, f"{self._api}{path}", params=params, json=body)
            if response.status_code >= 400:  # raised by the session normally; kept as a guard
                raise error_for_response(
                    response.status_code,
                    dict(response.headers),
                    None,
                    ticket_id=ticket_id,
                    write=write,
                )
            return response.json() if response.content else None

    def _text(self, text: str) -> Any:
        return adf(text) if self._cloud else text

    # ------------------------------------------------------------ reading

    def _issue(self, key: str) -> dict[str, Any]:
        issue = self._request(
            "GET",
            f"/issue/{key}",
            params={
                "fields": ",".join([*FIELDS, self.config.flag_field]),
                "properties": self.config.property_key,
            },
            ticket_id=key,
        )
        if isinstance(issue, dict) and issue.get("key", key) != key:
            raise NotFoundError(
                f"{key} was moved; it is now {issue['key']}", adapter="jira", ticket_id=key
            )
        if not isinstance(issue, dict) or issue["fields"]["project"]["key"] != self.config.project:
            raise InvalidError(
                f"{key} is not in project {self.config.project}", adapter="jira", ticket_id=key
            )
        self._types[key] = issue["fields"]["issuetype"]["name"]
        return issue

    def _prop(self, issue: dict[str, Any]) -> dict[str, Any]:
        return dict((issue.get("properties") or {}).get(self.config.property_key) or {})

    def _project_statuses(self) -> set[str]:
        if self._statuses is None:
            data = self._request("GET", f"/project/{self.config.project}/statuses")
            self._statuses = {s["name"] for t in data for s in t["statuses"]}
            for t in data:
                for s in t["statuses"]:
                    self._workflow.categories[s["name"]] = s["statusCategory"]["key"]
        return self._statuses

    # ------------------------------------------------------------ mapping out

    def _issue_type(self, draft_type: Any, parent: str | None) -> str:
        if parent is None:
            return self.config.type_map[draft_type]
        parent_type = self._types.get(parent) or self._issue(parent)["fields"]["issuetype"]["name"]
        if parent_type == self.config.subtask_type:
            raise UnsupportedError(
                f"{parent} is a sub-task; Jira does not nest sub-tasks", adapter="jira"
            )
        if parent_type == self.config.epic_type:
            return self.config.type_map[draft_type]
        return self.config.subtask_type

    def _status_name(self, status: Status) -> tuple[str, bool]:
        """The Jira status to reach, and whether ``blocked`` is marked instead of reached."""
        name = self.config.status_map[status]
        if name in self._project_statuses():
            return name, False
        if status is Status.BLOCKED:
            return self.config.status_map[Status.IN_PROGRESS], True
        if status.is_done:  # one done status serves both; the property tells them apart
            other = Status.CLOSED if status is Status.RESOLVED else Status.RESOLVED
            return self.config.status_map[other], False
        return name, False

    def _assignee_field(self, assignee: str | None) -> Any:
        account = self.config.assignee_map.get(assignee or "")
        if account is None:
            return None
        return {"accountId": account} if self._cloud else {"name": account}

    def _labels(self, labels: builtins.list[str], marked_blocked: bool) -> builtins.list[str]:
        out = [lb for lb in labels if not (marked_blocked and lb == self.config.blocked_label)]
        if marked_blocked and self.config.blocked_strategy == "label":
            out.append(self.config.blocked_label)
        return out

    def _resolution_name(self, resolution: str | None, status: Status) -> str:
        words = (resolution or "").lower()
        if status is Status.CLOSED and any(w in words for w in self.config.not_planned_words):
            return self.config.not_planned_resolution
        return self.config.done_resolution

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        issue_type = self._issue_type(draft.type, draft.parent_id)
        marked = draft.status is Status.BLOCKED and self._status_name(Status.BLOCKED)[1]
        fields: dict[str, Any] = {
            "project": {"key": self.config.project},
            "summary": draft.title,
            "issuetype": {"name": issue_type},
            "priority": {"name": self.config.priority_map[draft.priority]},
            "labels": self._labels(draft.labels, marked),
        }
        if draft.description:
            fields["description"] = self._text(draft.description)
        if draft.parent_id:
            fields["parent"] = {"key": draft.parent_id}
        if (assignee := self._assignee_field(draft.assignee)) is not None:
            fields["assignee"] = assignee
        if marked and self.config.blocked_strategy == "flag":
            fields[self.config.flag_field] = [{"value": "Impediment"}]
        prop = {"metadata": draft.metadata, "type": draft.type.value, "assignee": draft.assignee}
        if draft.idempotency_key:
            prop["key"] = draft.idempotency_key
        created = self._request(
            "POST",
            "/issue",
            body={
                "fields": fields,
                "properties": [{"key": self.config.property_key, "value": prop}],
            },
        )
        key = str(created["key"])
        self._types[key] = issue_type
        now = utcnow()
        ticket = Ticket.model_validate(
            {
                **draft.model_dump(exclude={"idempotency_key", "status", "resolution"}),
                "id": key,
                "created_at": now,
                "updated_at": now,
            }
        )
        ticket = ticket.model_copy(update={"tracker": self._ref(key, str(created["id"]))})
        for dep in draft.dependencies:
            self._link(dep, key)
        if draft.status is not Status.OPEN:
            self._move(
                key, self.config.status_map[Status.OPEN], draft.status, draft.resolution, prop
            )
            ticket = ticket.model_copy(
                update={
                    "status": draft.status,
                    "resolution": draft.resolution if draft.status.is_done else None,
                }
            )
        return ticket

    def _ref(self, key: str, native: str) -> Any:
        from bridge.models import TrackerRef

        return TrackerRef(
            tracker="jira", key=key, url=f"{self.config.server}/browse/{key}", native_id=native
        )

    def get(self, ticket_id: str) -> Ticket:
        return issue_to_ticket(self._issue(ticket_id), self.config)

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        issue = self._issue(ticket_id)
        current = issue_to_ticket(issue, self.config)
        updated = changes.apply_to(current)
        if updated is current:
            return current
        prop = self._prop(issue)
        fields = self._changed_fields(ticket_id, issue, current, updated)
        new_prop = {
            **prop,
            "metadata": updated.metadata,
            "type": updated.type.value,
            "assignee": updated.assignee,
        }
        body: dict[str, Any] = {}
        if fields:
            body["fields"] = fields
        if {k: new_prop.get(k) for k in ("metadata", "type", "assignee")} != {
            k: prop.get(k) for k in ("metadata", "type", "assignee")
        }:
            body["properties"] = [{"key": self.config.property_key, "value": new_prop}]
        if body:
            self._request("PUT", f"/issue/{ticket_id}", body=body, ticket_id=ticket_id)
        status_name = issue["fields"]["status"]["name"]
        target = self._status_name(updated.status)[0]
        if target != status_name or (
            updated.status.is_done
            and (updated.status != current.status or updated.resolution != current.resolution)
        ):
            self._move(ticket_id, status_name, updated.status, updated.resolution, new_prop)
        for dep in updated.dependencies:
            if dep not in current.dependencies:
                self._link(dep, ticket_id)
        removed = set(current.dependencies) - set(updated.dependencies)
        for link in issue["fields"].get("issuelinks") or []:
            if link.get("inwardIssue", {}).get("key") in removed:
                self._request("DELETE", f"/issueLink/{link['id']}", ticket_id=ticket_id)
        return updated.model_copy(update={"updated_at": utcnow()})

    def _changed_fields(
        self, ticket_id: str, issue: dict[str, Any], current: Ticket, updated: Ticket
    ) -> dict[str, Any]:
        """The issue fields to PUT for the difference between two tickets."""
        fields: dict[str, Any] = {}
        if updated.title != current.title:
            fields["summary"] = updated.title
        if updated.description != current.description:
            fields["description"] = self._text(updated.description) if updated.description else None
        if updated.priority != current.priority:
            fields["priority"] = {"name": self.config.priority_map[updated.priority]}
        marked = self._status_name(updated.status)[1]
        was_marked = current.status is Status.BLOCKED and self._status_name(Status.BLOCKED)[1]
        if updated.labels != current.labels or marked != was_marked:
            fields["labels"] = self._labels(updated.labels, marked)
        if marked != was_marked and self.config.blocked_strategy == "flag":
            fields[self.config.flag_field] = [{"value": "Impediment"}] if marked else None
        if updated.assignee != current.assignee:
            fields["assignee"] = self._assignee_field(updated.assignee)
        if updated.parent_id != current.parent_id or updated.type != current.type:
            new_type = self._issue_type(updated.type, updated.parent_id)
            if new_type != issue["fields"]["issuetype"]["name"]:
                fields["issuetype"] = {"name": new_type}
                self._types[ticket_id] = new_type
            fields["parent"] = {"key": updated.parent_id} if updated.parent_id else None
        return fields

    def _link(self, blocker: str, blocked: str) -> None:
        """``blocker`` blocks ``blocked`` (``blocked`` depends on ``blocker``)."""
        self._request(
            "POST",
            "/issueLink",
            body={
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": blocker},
                "outwardIssue": {"key": blocked},
            },
            ticket_id=blocked,
        )

    def _move(
        self,
        key: str,
        status_name: str,
        status: Status,
        resolution: str | None,
        prop: dict[str, Any],
    ) -> None:
        """Transition ``key`` to the status ``status`` maps to, recording the resolution."""
        goal, _ = self._status_name(status)
        final_prop = {
            **prop,
            "status": status.value if status.is_done else None,
            "resolution": resolution if status.is_done else None,
        }
        if goal == status_name:
            if final_prop != prop:
                self._request(
                    "PUT",
                    f"/issue/{key}",
                    ticket_id=key,
                    body={"properties": [{"key": self.config.property_key, "value": final_prop}]},
                )
            return
        goal_category = self._workflow.categories.get(goal) or (
            "done" if status.is_done else "new" if status is Status.OPEN else "indeterminate"
        )
        current = status_name
        for _ in range(12):
            if not self._workflow.knows(current):
                data = self._request(
                    "GET",
                    f"/issue/{key}/transitions",
                    ticket_id=key,
                    params={"expand": "transitions.fields"},
                )
                self._workflow.learn(current, data["transitions"])
            path = self._workflow.path(current, goal)
            edge = path[0] if path else self._workflow.explore(current, goal_category, goal)
            if edge is None:
                raise UnsupportedError(
                    f"the workflow offers no way from {current!r} to {goal!r}",
                    adapter="jira",
                    ticket_id=key,
                )
            last = edge.to == goal
            body: dict[str, Any] = {"transition": {"id": edge.id}}
            if edge.resolution == "required" or (edge.resolution and last and status.is_done):
                body["fields"] = {"resolution": {"name": self._resolution_name(resolution, status)}}
            if last:
                body["properties"] = [{"key": self.config.property_key, "value": final_prop}]
            self._request("POST", f"/issue/{key}/transitions", body=body, ticket_id=key)
            current = edge.to
            if last:
                return
        raise UnsupportedError(
            f"no path to {goal!r} within 12 transitions", adapter="jira", ticket_id=key
        )

    def add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        raw = self._request(
            "POST",
            f"/issue/{ticket_id}/comment",
            body={"body": self._text(comment_text(author, body))},
            ticket_id=ticket_id,
        )
        return parse_comment(raw, ticket_id)

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        comments: builtins.list[Comment] = []
        start = 0
        while True:
            page = self._request(
                "GET",
                f"/issue/{ticket_id}/comment",
                params={"startAt": start, "maxResults": 100, "orderBy": "created"},
                ticket_id=ticket_id,
            )
            comments += [parse_comment(c, ticket_id) for c in page["comments"]]
            start += len(page["comments"])
            if not page["comments"] or start >= page["total"]:
                return comments

    # ------------------------------------------------------------ search

    def _jql(self, query: TicketQuery) -> str:
        jql = And().eq("project", self.config.project)
        statuses = {self._status_name(s)[0] for s in query.status}
        if statuses:
            jql.is_in("status", sorted(statuses))
        if query.priority:
            jql.is_in("priority", sorted(self.config.priority_map[p] for p in query.priority))
        for label in query.labels:
            jql.eq("labels", label)
        if query.parent_id:
            jql.eq("parent", query.parent_id)
        if query.updated_since is not None:
            floor = query.updated_since.replace(second=0, microsecond=0)
            jql.at_least("updated", floor.strftime("%Y-%m-%d %H:%M"))
        return jql.render()

    def _search(
        self, jql: str, token: str | None, limit: int, extra: tuple[str, ...] = ()
    ) -> tuple[list[Any], str | None]:
        body: dict[str, Any] = {
            "jql": jql,
            "maxResults": limit,
            "fields": [*FIELDS, self.config.flag_field, *extra],
            "properties": [self.config.property_key],
        }
        if self._cloud:
            if token:
                body["nextPageToken"] = token
            page = self._request("POST", "/search/jql", body=body)
            return page["issues"], page.get("nextPageToken")
        start = int(token or 0)
        page = self._request("POST", "/search", body={**body, "startAt": start})
        after = start + len(page["issues"])
        return page["issues"], (str(after) if after < page["total"] and page["issues"] else None)

    def list(self, query: TicketQuery) -> TicketPage:
        token, skip = _parse_cursor(query.cursor)
        jql = self._jql(query)
        found: builtins.list[Ticket] = []
        while True:
            issues, next_token = self._search(jql, token, self.config.page_size)
            tickets = [issue_to_ticket(i, self.config) for i in issues]
            matching = [t for t in tickets if query.matches(t)]
            for index, ticket in enumerate(matching[skip:], start=skip):
                if len(found) == query.limit:
                    return TicketPage(found, next_cursor=f"{token or ''}|{index}")
                found.append(ticket)
            if next_token is None:
                return TicketPage(found)
            token, skip = next_token, 0
            if len(found) == query.limit:
                return TicketPage(found, next_cursor=f"{token}|0")

    # ------------------------------------------------------------ sync feed

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
        jql = And().eq("project", self.config.project)
        if since is not None:
            minutes = max(1, math.ceil((feed.watermark - since).total_seconds() / 60) + 1)
            jql.at_least("updated", f"-{minutes}m")
        text = jql.render("updated DESC")
        token: str | None = None
        first = True
        while True:
            issues, token = self._search(text, token, self.config.page_size, ("comment",))
            if first and issues:  # any edit puts its issue on top: the top is a validator
                top = f"{issues[0]['key']}@{issues[0]['fields'].get('updated')}"
                feed.validators = {"top": top}
                if (validators or {}).get("top") == top:
                    feed.not_modified = True
                    return feed
            first = False
            for issue in issues:
                ticket = issue_to_ticket(issue, self.config)
                feed.tickets.append(ticket)
                block = issue["fields"].get("comment") or {}
                raw = block.get("comments")
                if raw is not None and len(raw) >= int(block.get("total", 0)):
                    feed.comments += [parse_comment(c, ticket.id) for c in raw]
                elif block.get("total", 1):
                    feed.comments += self.list_comments(ticket.id)
            if token is None:
                return feed

    def find_by_key(self, key: str) -> Ticket | None:
        """Scan recently created issues of the project for the key in the bridge's property."""
        jql = (
            And()
            .eq("project", self.config.project)
            .at_least("created", f"-{self.config.idempotency_lookback_days}d")
            .render("created DESC")
        )
        token: str | None = None
        while True:
            issues, token = self._search(jql, token, self.config.page_size)
            for issue in issues:
                if self._prop(issue).get("key") == key:
                    return issue_to_ticket(issue, self.config)
            if token is None:
                return None


def _parse_cursor(cursor: str | None) -> tuple[str | None, int]:
    if cursor is None:
        return None, 0
    token, sep, skip = cursor.rpartition("|")
    if not sep or not skip.isdigit():
        raise InvalidError(f"invalid cursor {cursor!r}: pass a page's next_cursor back as it is")
    return token or None, int(skip)
