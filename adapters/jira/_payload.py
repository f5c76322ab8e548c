"""The shapes of what the Jira adapter reads from Jira's answers, checked before it reads them.

Each answer the adapter takes a value from is validated against the shape below first, so a
missing field, a wrong type or an oversized title is a bridge error naming the field
(``fields.status.name: Field required``), never a ``KeyError`` or a ``TypeError`` from deep
inside the mapping. The shapes name only what the adapter reads; anything else in an answer
is left alone. The checked value is the answer itself, unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NotRequired, TypeVar

from pydantic import AfterValidator, JsonValue, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from bridge.errors import UnavailableError
from bridge.models import MAX_TITLE

__all__ = [
    "COMMENT",
    "COMMENT_PAGE",
    "CREATED",
    "ISSUE",
    "PROJECT_STATUSES",
    "SEARCH_PAGE",
    "TRANSITIONS",
    "checked",
    "parse_when",
]

T = TypeVar("T")
WHEN_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def parse_when(raw: str) -> datetime:
    """A Jira timestamp (``2024-05-01T10:00:00.000+0000``) as an aware datetime."""
    return datetime.strptime(raw, WHEN_FORMAT)


def _timestamp(raw: str) -> str:
    parse_when(raw)  # a ValueError here is reported as the field's error
    return raw


When = Annotated[str, AfterValidator(_timestamp)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE)]


class _Named(TypedDict):
    name: str


class _Keyed(TypedDict):
    key: str


class _Category(TypedDict):
    key: str


class _Status(TypedDict):
    name: str
    statusCategory: NotRequired[_Category]  # Jira before 6.1 has no status categories


class _User(TypedDict, total=False):
    accountId: str | None
    name: str | None
    displayName: str | None


class _LinkType(TypedDict, total=False):
    name: str


class _Link(TypedDict):
    id: str
    type: NotRequired[_LinkType]
    inwardIssue: NotRequired[_Keyed]  # the blocker, read; the outward side is not


class Comment(TypedDict):
    id: str
    body: NotRequired[Any]  # a string on v2, a document on v3; read by the text module
    author: NotRequired[_User | None]
    created: When


class _CommentBlock(TypedDict, total=False):
    comments: list[Comment]
    total: int


class _Fields(TypedDict):
    summary: Title
    status: _Status
    issuetype: _Named
    created: When
    updated: When
    project: NotRequired[_Keyed]
    description: NotRequired[str | dict[str, Any] | None]
    priority: NotRequired[_Named | None]
    labels: NotRequired[list[str] | None]
    assignee: NotRequired[_User | None]
    parent: NotRequired[_Keyed | None]
    issuelinks: NotRequired[list[_Link] | None]
    resolution: NotRequired[_Named | None]
    comment: NotRequired[_CommentBlock | None]


class BridgeProperty(TypedDict, total=False):
    """The bridge's entity property on an issue."""

    metadata: dict[str, JsonValue] | None
    type: str | None
    assignee: str | None
    status: str | None
    resolution: str | None
    key: str | None
    description: dict[str, str] | None


class Issue(TypedDict):
    id: NotRequired[str]
    key: str
    fields: _Fields
    properties: NotRequired[dict[str, BridgeProperty | Any]]


class SearchPage(TypedDict):
    issues: list[Issue]
    nextPageToken: NotRequired[str | None]
    total: NotRequired[int]


class CommentPage(TypedDict):
    comments: list[Comment]
    total: int


class Created(TypedDict):
    id: str
    key: str


class _Target(TypedDict):
    name: str
    statusCategory: NotRequired[_Category]


class _Transition(TypedDict):
    id: str | int
    to: _Target
    fields: NotRequired[dict[str, Any] | None]


class Transitions(TypedDict):
    transitions: list[_Transition]


class _TypeStatuses(TypedDict):
    statuses: list[_Status]
    id: NotRequired[str]
    name: NotRequired[str]


ISSUE: TypeAdapter[Issue] = TypeAdapter(Issue)
SEARCH_PAGE: TypeAdapter[SearchPage] = TypeAdapter(SearchPage)
COMMENT: TypeAdapter[Comment] = TypeAdapter(Comment)
COMMENT_PAGE: TypeAdapter[CommentPage] = TypeAdapter(CommentPage)
CREATED: TypeAdapter[Created] = TypeAdapter(Created)
TRANSITIONS: TypeAdapter[Transitions] = TypeAdapter(Transitions)
PROJECT_STATUSES: TypeAdapter[list[_TypeStatuses]] = TypeAdapter(list[_TypeStatuses])
_PROPERTY: TypeAdapter[BridgeProperty] = TypeAdapter(BridgeProperty)


def _where(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{path}: {first['msg']}"


def checked(shape: TypeAdapter[T], data: Any, what: str, *, ticket_id: str | None = None) -> Any:
    """``data`` itself once it has ``shape``; else an :class:`UnavailableError` naming the
    first field that is missing or wrong, in ``what`` (``"the issue"``)."""
    try:
        shape.validate_python(data, strict=False)
    except ValidationError as exc:
        raise UnavailableError(
            f"unexpected answer from Jira: {what}: {_where(exc)}",
            adapter="jira",
            ticket_id=ticket_id,
        ) from None
    return data


def bridge_property_of(issue: dict[str, Any], key: str) -> dict[str, Any]:
    """The bridge's entity property of a checked issue (empty when it has none)."""
    raw = (issue.get("properties") or {}).get(key)
    if raw is None:
        return {}
    checked(_PROPERTY, raw, f"properties.{key}", ticket_id=issue.get("key"))
    if not isinstance(raw, dict):
        raise UnavailableError(
            f"unexpected answer from Jira: properties.{key}: not an object",
            adapter="jira",
            ticket_id=issue.get("key"),
        )
    return dict(raw)
