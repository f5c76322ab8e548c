"""What the adapter reads from GitHub's answers, validated into typed shapes.

Only the properties the adapter uses are declared; everything else GitHub sends is ignored.
Properties GitHub's description marks optional, or that real answers leave out (a sub-issue
list carries no ``parent_issue_url``; older answers carry no ``issue_dependencies_summary``
or ``type``), have defaults. A missing or mistyped property the adapter needs is an
:class:`~bridge.errors.UnavailableError` that names it, never a ``KeyError`` or
``TypeError`` from deep inside the mapping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from adapters.github._errors import ADAPTER
from bridge.errors import UnavailableError
from bridge.validation import describe_errors

__all__ = [
    "CommentIn",
    "DependenciesIn",
    "FieldValueIn",
    "IssueIn",
    "comment",
    "comments",
    "issue",
    "issues",
]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LabelIn(_Shape):
    name: StrictStr


class UserIn(_Shape):
    login: StrictStr


class IssueTypeIn(_Shape):
    name: StrictStr | None = None


class DependenciesIn(_Shape):
    """``issue_dependencies_summary``: ``blocked_by`` counts open blockers only."""

    blocked_by: StrictInt = 0
    total_blocked_by: StrictInt | None = None

    @property
    def total(self) -> int:
        """Every blocker, open or closed (older answers only count the open ones)."""
        return self.blocked_by if self.total_blocked_by is None else self.total_blocked_by


class OptionIn(_Shape):
    name: StrictStr


class FieldValueIn(_Shape):
    """One of an issue's ``issue_field_values``: a single-select's choice is the option in
    ``single_select_option`` (``value`` then holds the option's id); a dropped value is
    simply absent."""

    issue_field_id: StrictInt
    issue_field_name: StrictStr | None = None
    data_type: StrictStr
    value: StrictStr | StrictInt | StrictFloat | None = None
    single_select_option: OptionIn | None = None
    multi_select_options: list[OptionIn] | None = None


class IssueIn(_Shape):
    """An issue (or a pull request, as the issues endpoints list them too)."""

    id: StrictInt
    number: StrictInt
    title: StrictStr
    body: StrictStr | None = None
    state: Literal["open", "closed"]
    state_reason: StrictStr | None = None
    labels: list[LabelIn | StrictStr] = []
    assignees: list[UserIn] | None = None
    created_at: datetime
    updated_at: datetime
    html_url: StrictStr | None = None
    repository_url: StrictStr | None = None
    parent_issue_url: StrictStr | None = None
    issue_dependencies_summary: DependenciesIn | None = None
    type: IssueTypeIn | None = None
    issue_field_values: list[FieldValueIn] = []
    pull_request: dict[str, Any] | None = None

    @property
    def label_names(self) -> list[str]:
        return [lb if isinstance(lb, str) else lb.name for lb in self.labels]

    @property
    def is_pull_request(self) -> bool:
        return self.pull_request is not None


class CommentIn(_Shape):
    id: StrictInt
    body: StrictStr | None = None
    user: UserIn | None = None
    created_at: datetime
    issue_url: StrictStr | None = None


S = TypeVar("S", bound=_Shape)


def _one(shape: type[S], data: Any, what: str, ticket_id: str | None) -> S:
    if not isinstance(data, dict):
        raise UnavailableError(
            f"unexpected answer from GitHub: {what} is {type(data).__name__}, not an object",
            adapter=ADAPTER,
            ticket_id=ticket_id,
        )
    try:
        return shape.model_validate(data)
    except ValidationError as exc:
        number = data.get("number")
        where = f"{what} #{number}" if type(number) is int else what
        raise UnavailableError(
            f"unexpected answer from GitHub: {where}: " + "; ".join(describe_errors(exc)),
            adapter=ADAPTER,
            ticket_id=ticket_id,
        ) from None


def _many(shape: type[S], data: Any, what: str, ticket_id: str | None) -> list[S]:
    if not isinstance(data, list):
        raise UnavailableError(
            f"unexpected answer from GitHub: a list of {what}s is {type(data).__name__}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
        )
    return [_one(shape, item, f"{what} [{i}]", ticket_id) for i, item in enumerate(data)]


def issue(data: Any, ticket_id: str | None = None) -> IssueIn:
    """One issue from an answer, or an error naming what is missing or wrong."""
    return _one(IssueIn, data, "issue", ticket_id)


def issues(data: Any, ticket_id: str | None = None) -> list[IssueIn]:
    """A page of issues."""
    return _many(IssueIn, data, "issue", ticket_id)


def comment(data: Any, ticket_id: str | None = None) -> CommentIn:
    """One comment."""
    return _one(CommentIn, data, "comment", ticket_id)


def comments(data: Any, ticket_id: str | None = None) -> list[CommentIn]:
    """A page of comments."""
    return _many(CommentIn, data, "comment", ticket_id)
