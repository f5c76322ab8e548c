"""The neutral ticket model that every adapter reads and writes.

Enums are ``StrEnum``s, so ``ticket.status in ["resolved", "closed"]`` holds as the guide writes
it, and every API takes the plain strings too. Unknown values raise :class:`InvalidError`
naming the value and the allowed set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bridge.errors import InvalidError
from bridge.inputs import check_json, check_text, check_ticket_id
from bridge.validation import describe_errors

__all__ = [
    "Comment",
    "Priority",
    "Status",
    "Ticket",
    "TicketChanges",
    "TicketDraft",
    "TicketPage",
    "TicketQuery",
    "TicketType",
    "TrackerRef",
    "check_ticket_id",
    "invalid_from_validation",
    "utcnow",
]

MAX_TITLE = 255


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class _Choice(StrEnum):
    """A string enum that accepts any case and spaces or hyphens for underscores."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            key = re.sub(r"[\s-]+", "_", value.strip().lower())
            for member in cls:
                if member.value == key:
                    return member
        return None

    @classmethod
    def parse(cls, value: object, field: str | None = None) -> Self:
        """Return the member for ``value`` or raise :class:`InvalidError` naming the choices."""
        if isinstance(value, str):
            try:
                return cls(value)  # _missing_ accepts any case and spaces or hyphens
            except ValueError:
                pass
        allowed = ", ".join(m.value for m in cls)
        name = field or cls.__name__.lower()
        raise InvalidError(f"invalid {name} {value!r}: expected one of {allowed}")


class Status(_Choice):
    """Where a ticket stands. ``resolved`` and ``closed`` are the done states."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_done(self) -> bool:
        """True for ``resolved`` and ``closed``."""
        return self in (Status.RESOLVED, Status.CLOSED)


class Priority(_Choice):
    """How urgent a ticket is, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical, for comparisons."""
        return list(Priority).index(self)


class TicketType(_Choice):
    """What kind of work a ticket is. A subtask is any ticket with a parent."""

    TASK = "task"
    BUG = "bug"
    FEATURE = "feature"
    EPIC = "epic"


_CHOICES: dict[str, type[_Choice]] = {"status": Status, "priority": Priority, "type": TicketType}


def _parse_many(field: str, value: object) -> tuple[_Choice, ...]:
    if value is None:
        return ()
    items: Iterable[object] = (
        (value,) if isinstance(value, str) else value if isinstance(value, Iterable) else (value,)
    )
    return tuple(_CHOICES[field].parse(item, field) for item in items)


def _a_list(value: object, field: str, what: str) -> Iterable[object]:
    """``value`` if it is a list (any iterable but a string or a mapping); else ValueError."""
    if value is None:
        return ()
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise ValueError(f"{field} must be a list of {what}")
    return value


def _clean_labels(value: object) -> list[str]:
    seen: dict[str, None] = {}
    for label in _a_list(value, "labels", "strings"):
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"invalid label {label!r}: labels are non-empty strings")
        if len(label) > 100:
            raise ValueError(f"label {label[:20]!r}... is longer than 100 characters")
        seen.setdefault(check_text(label.strip()), None)
    return list(seen)


class _Checked(BaseModel):
    """Validators shared by the ticket, the draft and the changes."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator(*_CHOICES, mode="before", check_fields=False)
    @classmethod
    def _choice(cls, value: object, info: ValidationInfo) -> object:
        field = str(info.field_name)
        return None if value is None else _CHOICES[field].parse(value, field)

    @field_validator("title", mode="before", check_fields=False)
    @classmethod
    def _title(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValueError("title must not be empty")
            if len(value) > MAX_TITLE:
                raise ValueError(
                    f"title is {len(value)} characters long; the maximum is {MAX_TITLE}"
                )
        return value

    @field_validator("labels", mode="before", check_fields=False)
    @classmethod
    def _labels(cls, value: object) -> object:
        return _clean_labels(value)

    @field_validator("parent_id", mode="before", check_fields=False)
    @classmethod
    def _parent(cls, value: object) -> object:
        return None if value is None else check_ticket_id(value)

    @field_validator("dependencies", mode="before", check_fields=False)
    @classmethod
    def _deps(cls, value: object) -> object:
        ids = _a_list(value, "dependencies", "ticket ids")
        return list(dict.fromkeys(check_ticket_id(v) for v in ids))

    @field_validator("metadata", mode="before", check_fields=False)
    @classmethod
    def _metadata(cls, value: object) -> object:
        return value if value is None else check_json(value)

    @field_validator("title", "description", "resolution", mode="after", check_fields=False)
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value if value is None else check_text(value)

    @field_validator("assignee", mode="before", check_fields=False)
    @classmethod
    def _assignee(cls, value: object) -> object:
        if isinstance(value, str):
            value = check_text(value).strip() or None
        return value


class TrackerRef(BaseModel):
    """Where a ticket lives on its tracker: URL, human key and the tracker's immutable id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str
    key: str
    url: str | None = None
    native_id: str | None = None


class _TicketFields(_Checked):
    """The ticket fields, declared once: what a draft gives and what a ticket holds.

    :class:`Ticket` adds its id, timestamps, tracker and ``pending``; :class:`TicketDraft`
    adds ``idempotency_key``; :class:`TicketChanges` repeats these names, so that type
    checkers see them, under one rule: each one becomes ``<its type> | None = None``.
    """

    title: str
    description: str = ""
    status: Status = Status.OPEN
    priority: Priority = Priority.MEDIUM
    type: TicketType = TicketType.TASK
    assignee: str | None = None
    labels: list[str] = Field(default_factory=list)
    parent_id: str | None = None
    dependencies: list[str] = Field(default_factory=list)
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    resolution: str | None = None


class _TicketId(_Checked):
    """A ticket's id, a base of its own so that it comes first in a dumped ticket."""

    id: str


class Ticket(_TicketFields, _TicketId):
    """One ticket, as every adapter returns it."""

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    tracker: TrackerRef | None = None
    pending: bool = Field(
        default=False,
        description="created or changed while the tracker was unreachable; queued for replay",
    )

    @property
    def is_done(self) -> bool:
        """True when the ticket is resolved or closed."""
        return self.status.is_done


class Comment(BaseModel):
    """A comment on a ticket; ``author`` is who wrote it (an agent or a person)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    ticket_id: str
    author: str
    body: str
    created_at: datetime = Field(default_factory=utcnow)
    key: str | None = Field(default=None, description="the idempotency key it was written with")


class TicketDraft(_TicketFields):
    """What ``create_ticket`` takes."""

    idempotency_key: str | None = None


# A field the ticket cannot hold as None (a string, a choice, a list, a mapping) cannot be
# cleared by a change; an optional one (assignee, parent, resolution) is cleared with None.
_UNCLEARABLE = tuple(
    name
    for name, info in _TicketFields.model_fields.items()
    if type(None) not in get_args(info.annotation)
)


class TicketChanges(_Checked):
    """What ``update_ticket`` takes: only the fields that were given are applied.

    The fields are those of a draft without its idempotency key, each one
    ``<its type> | None = None``: a field left out is kept. Given as None, an optional field
    (assignee, parent, resolution) is cleared, labels and dependencies become empty, and
    any other field is refused (``update_ticket`` refuses None for labels and dependencies).
    """

    title: str | None = None
    description: str | None = None
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    assignee: str | None = None
    labels: list[str] | None = None
    parent_id: str | None = None
    dependencies: list[str] | None = None
    metadata: dict[str, JsonValue] | None = None
    resolution: str | None = None

    _kept_at: frozenset[Status] = PrivateAttr(default=frozenset())

    @field_validator(*_UNCLEARABLE)
    @classmethod
    def _not_none(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be cleared (None); leave it out to keep it")
        return value

    def unless_status(self, *statuses: Status) -> Self:
        """These changes, applied to no ticket that has one of ``statuses``."""
        self._kept_at = frozenset(statuses)
        return self

    @property
    def kept_at(self) -> frozenset[Status]:
        """The statuses of the tickets these changes leave as they are (``unless_status``)."""
        return self._kept_at

    def given(self) -> dict[str, Any]:
        """The fields that were given, by name, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def apply_to(self, ticket: Ticket) -> Ticket:
        """A copy of ``ticket`` with these changes; ``updated_at`` moves only if something did."""
        if ticket.status in self._kept_at:
            return ticket
        given = self.given()
        changed = {k: v for k, v in given.items() if getattr(ticket, k) != v}
        if not changed:
            return ticket
        return ticket.model_copy(update={**changed, "updated_at": utcnow()})


class TicketQuery(BaseModel):
    """Filters for ``list_tickets``; a ticket must match every filter that is given."""

    model_config = ConfigDict(extra="forbid")

    status: tuple[Status, ...] = ()
    priority: tuple[Priority, ...] = ()
    type: tuple[TicketType, ...] = ()
    assignee: str | None = None
    labels: tuple[str, ...] = ()
    parent_id: str | None = None
    updated_since: datetime | None = None
    text: str | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    cursor: str | None = None

    @field_validator(*_CHOICES, mode="before")
    @classmethod
    def _choices(cls, value: object, info: ValidationInfo) -> object:
        return _parse_many(str(info.field_name), value)

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: object) -> object:
        return () if value is None else tuple(_clean_labels(value))

    @field_validator("assignee", "text")
    @classmethod
    def _query_text(cls, value: str | None) -> str | None:
        return value if value is None else check_text(value)

    @field_validator("parent_id", mode="before")
    @classmethod
    def _parent(cls, value: object) -> object:
        return None if value is None else check_ticket_id(value)

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def matches(self, ticket: Ticket) -> bool:
        """True if ``ticket`` passes every filter (used by adapters that filter in memory)."""
        return (
            (not self.status or ticket.status in self.status)
            and (not self.priority or ticket.priority in self.priority)
            and (not self.type or ticket.type in self.type)
            and (self.assignee is None or ticket.assignee == self.assignee)
            and all(label in ticket.labels for label in self.labels)
            and (self.parent_id is None or ticket.parent_id == self.parent_id)
            and (self.updated_since is None or ticket.updated_at >= self.updated_since)
            and all(  # every word of the text, in any order
                w in f"{ticket.title}\n{ticket.description}".lower()
                for w in (self.text or "").lower().split()
            )
        )


class TicketPage(list[Ticket]):
    """One page of ``list_tickets``: a list of tickets plus the cursor of the next page.

    ``problems`` names what could not be read (a corrupt file, say) while the rest was.
    """

    def __init__(
        self,
        items: Iterable[Ticket] = (),
        *,
        next_cursor: str | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__(items)
        self.next_cursor = next_cursor
        self.problems = list(problems)


def invalid_from_validation(
    exc: ValidationError, *, adapter: str | None = None, ticket_id: str | None = None
) -> InvalidError:
    """Turn a pydantic ``ValidationError`` into one clear :class:`InvalidError`."""
    problems = describe_errors(exc)
    return InvalidError("; ".join(problems), adapter=adapter, ticket_id=ticket_id)
