"""``JiraAdapter``: tickets as Jira issues of one project, on :class:`JiraClient`.

Requests (``bench/api_calls.py``): create 1 (priority, labels, parent, metadata in one);
get 1 (the entity property comes with the issue); comment 1; a status change 2 (read,
transition); a page of up to 100 issues 1.
"""

from __future__ import annotations

import builtins
import logging
import os
from typing import Any, ClassVar

from adapters._paging import Cursor, fill_page
from adapters.jira._client import JiraClient, PageGuard
from adapters.jira._config import JiraConfig
from adapters.jira._feed import JiraFeed
from adapters.jira._fields import JiraFields
from adapters.jira._jql import StatusFilter, list_jql
from adapters.jira._mapping import (
    Marks,
    bridge_property,
    changed_fields,
    check_labels,
    create_fields,
    created_ticket,
    issue_to_ticket,
    parse_comment,
    resolution_name,
)
from adapters.jira._payload import COMMENT, CREATED, ISSUE, PROJECT_STATUSES, TRANSITIONS, checked
from adapters.jira._text import comment_body, description_source
from adapters.jira._workflow import Workflow, send_transition
from bridge.contract import Adapter, Capabilities
from bridge.errors import (
    AuthError,
    InvalidError,
    NotFoundError,
    UnavailableError,
    UnsupportedError,
    already_landed,
)
from bridge.fields import FieldInfo
from bridge.models import (
    Comment,
    Status,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    TicketType,
    utcnow,
)

__all__ = ["JiraAdapter"]

log = logging.getLogger(__name__)

_OWN_PROPERTY = (
    "metadata",
    "type",
    "assignee",
    "description",
)  # what an update may change in the property


class JiraAdapter(JiraFeed, Adapter):
    """Tickets as issues of one Jira project (Cloud or Server/Data Center)."""

    name = "jira"
    capabilities = Capabilities(nested_subtasks=False)
    Config: ClassVar[type[JiraConfig]] = JiraConfig

    def __init__(
        self, config: JiraConfig, *, email: str | None = None, token: str | None = None
    ) -> None:
        self.config = config
        secret = token if token is not None else os.environ.get(config.token_env)
        if not secret:
            raise AuthError(
                f"no Jira token: set the environment variable {config.token_env}", adapter="jira"
            )
        user = None
        if config.deployment == "cloud":
            user = email if email is not None else os.environ.get(config.email_env)
            if not user:
                raise AuthError(
                    f"no Jira account email: set the environment variable {config.email_env}",
                    adapter="jira",
                )
        self._client = JiraClient(config, secret, user)
        self._cloud = self._client.cloud
        self._workflow = Workflow()
        self._types: dict[str, str] = {}
        self._fields = JiraFields(config, self._client, self._type_ids)

    @classmethod
    def from_config(cls, config: JiraConfig) -> JiraAdapter:
        """Build the adapter a validated ``[trackers.<name>]`` section describes."""
        return cls(config)

    def __repr__(self) -> str:
        return f"<JiraAdapter {self.config.project} at {self.config.server}>"

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------ reading

    def _mapped(self) -> dict[str, str]:
        return self._fields.mapped()

    def _type_ids(self) -> dict[str, str]:
        """The project's issue types by name, with their ids (read with its statuses)."""
        self._status_name(Status.OPEN)
        return self._workflow.type_ids

    def fields(self, issue_type: str | None = None) -> builtins.list[FieldInfo]:
        """The create screen's fields of ``issue_type`` (a neutral type or a Jira type's
        name), or of every type of the project: one request per type, once per run."""
        return self._fields.infos(issue_type)

    def _issue(self, key: str) -> dict[str, Any]:
        self._mapped()  # a field_map by field names learns the ids before the first read
        answer = self._client.request(
            "GET",
            f"/issue/{key}",
            params={
                "fields": ",".join(self._client.fields),
                "properties": self.config.property_key,
            },
            ticket_id=key,
        )
        issue: dict[str, Any] = checked(ISSUE, answer, "the issue", ticket_id=key)
        if issue["key"] != key:
            raise NotFoundError(
                f"{key} was moved; it is now {issue['key']}", adapter="jira", ticket_id=key
            )
        if "project" not in issue["fields"]:
            raise UnavailableError(
                "unexpected answer from Jira: the issue: fields.project: Field required",
                adapter="jira",
                ticket_id=key,
            )
        if issue["fields"]["project"]["key"] != self.config.project:
            raise InvalidError(
                f"{key} is not in project {self.config.project}", adapter="jira", ticket_id=key
            )
        self._types[key] = issue["fields"]["issuetype"]["name"]
        return issue

    def _issue_type(self, draft_type: TicketType, parent: str | None) -> str:
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
        if self._workflow.statuses is None:
            path = f"/project/{self.config.project}/statuses"
            data = self._client.request("GET", path)
            self._workflow.learn_statuses(checked(PROJECT_STATUSES, data, "the statuses"))
        return self._workflow.target(self.config.status_map, status)

    # ------------------------------------------------------------ primitives

    def create(self, draft: TicketDraft) -> Ticket:
        check_labels(draft.labels)
        issue_type = self._issue_type(draft.type, draft.parent_id)
        _ = [self._issue(dep) for dep in draft.dependencies]  # linked after: check them first
        marked = draft.status is Status.BLOCKED and self._status_name(Status.BLOCKED)[1]
        fields = create_fields(self.config, draft, issue_type, marked, cloud=self._cloud)
        fields.update(self._fields.for_create(draft, issue_type, fields))
        prop: dict[str, Any] = {
            "metadata": self._fields.own_metadata(draft.metadata),
            "type": draft.type.value,
            "assignee": draft.assignee,
        }
        if draft.idempotency_key:
            prop["key"] = draft.idempotency_key
        if source := description_source(draft.description, cloud=self._cloud):
            prop["description"] = source
        properties = [{"key": self.config.property_key, "value": prop}]
        created = self._client.request(
            "POST", "/issue", body={"fields": fields, "properties": properties}
        )
        checked(CREATED, created, "the created issue")
        key = str(created["key"])
        self._types[key] = issue_type
        with already_landed():
            return self._finish_create(draft, key, str(created["id"]), prop)

    def _finish_create(
        self, draft: TicketDraft, key: str, native_id: str, prop: dict[str, Any]
    ) -> Ticket:
        """What Jira takes only after the issue exists: the links and the transitions."""
        ticket = created_ticket(self.config, draft, key, native_id)
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

    def get(self, ticket_id: str) -> Ticket:
        return issue_to_ticket(self._issue(ticket_id), self.config, self._mapped())

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        check_labels(changes.labels or [])
        issue = self._issue(ticket_id)
        current = issue_to_ticket(issue, self.config, self._mapped())
        updated = changes.apply_to(current)
        if updated is current:
            return current
        prop = bridge_property(issue, self.config)
        fields = self._changed_fields(ticket_id, issue, current, updated)
        kind = self._types.get(ticket_id, issue["fields"]["issuetype"]["name"])
        fields.update(self._fields.for_update(kind, current.metadata, updated.metadata))
        new_prop = {
            **prop,
            "metadata": self._fields.own_metadata(updated.metadata),
            "type": updated.type.value,
            "assignee": updated.assignee,
        }
        if updated.description != current.description:
            new_prop["description"] = description_source(updated.description, cloud=self._cloud)
        body: dict[str, Any] = {}
        if fields:
            body["fields"] = fields
        if {k: new_prop.get(k) for k in _OWN_PROPERTY} != {k: prop.get(k) for k in _OWN_PROPERTY}:
            body["properties"] = [{"key": self.config.property_key, "value": new_prop}]
        if body:
            self._client.request("PUT", f"/issue/{ticket_id}", body=body, ticket_id=ticket_id)
        status_name = issue["fields"]["status"]["name"]
        target = self._status_name(updated.status)[0]
        if target != status_name or (
            updated.status.is_done
            and (updated.status != current.status or updated.resolution != current.resolution)
        ):
            self._move(ticket_id, status_name, updated.status, updated.resolution, new_prop)
        self._relink(ticket_id, issue, current, updated)
        return updated.model_copy(update={"updated_at": utcnow()})

    def _changed_fields(
        self, ticket_id: str, issue: dict[str, Any], current: Ticket, updated: Ticket
    ) -> dict[str, Any]:
        """The issue fields to PUT for the difference between two tickets."""
        marked = self._status_name(updated.status)[1]
        was_marked = current.status is Status.BLOCKED and self._status_name(Status.BLOCKED)[1]
        new_type = None
        if updated.parent_id != current.parent_id or updated.type != current.type:
            new_type = self._issue_type(updated.type, updated.parent_id)
            if new_type != issue["fields"]["issuetype"]["name"]:
                self._types[ticket_id] = new_type
        return changed_fields(
            self.config,
            issue,
            current,
            updated,
            Marks(marked, was_marked, new_type),
            cloud=self._cloud,
        )

    def _link(self, blocker: str, blocked: str) -> None:
        """``blocker`` blocks ``blocked`` (``blocked`` depends on ``blocker``)."""
        self._client.request(
            "POST",
            "/issueLink",
            body={
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": blocker},
                "outwardIssue": {"key": blocked},
            },
            ticket_id=blocked,
        )

    def _relink(
        self, ticket_id: str, issue: dict[str, Any], current: Ticket, updated: Ticket
    ) -> None:
        """Add the links of new dependencies, delete those of dropped ones."""
        for dep in updated.dependencies:
            if dep not in current.dependencies:
                self._link(dep, ticket_id)
        removed = set(current.dependencies) - set(updated.dependencies)
        for link in issue["fields"].get("issuelinks") or []:
            if link.get("inwardIssue", {}).get("key") in removed:
                self._client.request("DELETE", f"/issueLink/{link['id']}", ticket_id=ticket_id)

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
                properties = [{"key": self.config.property_key, "value": final_prop}]
                self._client.request(
                    "PUT", f"/issue/{key}", ticket_id=key, body={"properties": properties}
                )
            return
        goal_category = self._workflow.categories.get(goal) or (
            "done" if status.is_done else "new" if status is Status.OPEN else "indeterminate"
        )

        def transitions() -> builtins.list[dict[str, Any]]:
            params = {"expand": "transitions.fields"}
            data = self._client.request(
                "GET", f"/issue/{key}/transitions", ticket_id=key, params=params
            )
            checked(TRANSITIONS, data, "the transitions", ticket_id=key)
            offered: builtins.list[dict[str, Any]] = data["transitions"]
            return offered

        for edge in self._workflow.route(key, status_name, goal, goal_category, transitions):
            last = edge.to == goal
            body: dict[str, Any] = {"transition": {"id": edge.id}}
            if edge.resolution == "required" or (edge.resolution and last and status.is_done):
                name = resolution_name(self.config, resolution, status)
                body["fields"] = {"resolution": {"name": name}}
            if last:
                body["properties"] = [{"key": self.config.property_key, "value": final_prop}]
            send_transition(self._client, key, body, edge.to)

    def add_comment(
        self, ticket_id: str, body: str, author: str, *, key: str | None = None
    ) -> Comment:
        raw = self._client.request(
            "POST",
            f"/issue/{ticket_id}/comment",
            body={"body": comment_body(author, body, key, cloud=self._cloud)},
            ticket_id=ticket_id,
        )
        return parse_comment(checked(COMMENT, raw, "the comment", ticket_id=ticket_id), ticket_id)

    def list_comments(self, ticket_id: str) -> builtins.list[Comment]:
        comments: builtins.list[Comment] = []
        for page in self._client.comment_pages(ticket_id):
            comments += [parse_comment(c, ticket_id) for c in page]
        return comments

    # ------------------------------------------------------------ search

    def list(self, query: TicketQuery) -> TicketPage:
        """Issues oldest first, narrowed by JQL, the rest filtered here; a cursor's position is
        the search's page token on Cloud, its ``startAt`` on Server."""
        start = Cursor.parse(query.cursor, valid=None if self._cloud else str.isdigit)
        jql = list_jql(
            self.config.project,
            query,
            self._status_filter(query.status) if query.status else None,
            [self.config.priority_map[p] for p in query.priority],
        )

        guard = PageGuard(self.config.max_pages)
        mapped = self._mapped()

        def fetch(position: str) -> tuple[builtins.list[Ticket], str | None]:
            guard.check(position)
            issues, token = self._client.search(jql, position or None, self.config.page_size)
            return [issue_to_ticket(i, self.config, mapped) for i in issues], token

        return fill_page(fetch, start, query.limit, query.matches)

    def _status_filter(self, statuses: tuple[Status, ...]) -> StatusFilter:
        self._status_name(Status.OPEN)  # the project's statuses, once
        return self._workflow.status_filter(self.config.status_map, statuses)
