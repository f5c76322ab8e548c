"""``TicketingService``: the one interface every adapter implements.

Adapters implement a handful of primitives (``_create``, ``_get``, ``_update``,
``_add_comment``, ``_list_comments``, ``_list``); the public methods validate their input
once, here, and build the conveniences (close, reopen, children, links) on the primitives.
Every method raises only :mod:`bridge.errors` errors.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import JsonValue, ValidationError

from bridge.errors import InvalidError
from bridge.models import (
    Comment,
    Priority,
    Status,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketPage,
    TicketQuery,
    TicketType,
    check_ticket_id,
    invalid_from_validation,
)

if TYPE_CHECKING:
    from pathlib import Path

    from bridge.feed import ChangeFeed

__all__ = ["Capabilities", "TicketingService"]

MAX_COMMENT = 65_536


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can do; the contract suite skips nothing silently, it reads these."""

    dependencies: bool = True
    nested_subtasks: bool = True
    max_description: int | None = None


class TicketingService(ABC):
    """Create, read, update, comment on, close, list and link tickets on one tracker."""

    adapter_name: ClassVar[str] = "service"
    capabilities: ClassVar[Capabilities] = Capabilities()

    _instance: ClassVar[TicketingService | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    # ---------------------------------------------------------------- construction

    @classmethod
    def get_instance(cls, config_path: str | Path | None = None) -> TicketingService:
        """The process-wide service built from the discovered configuration.

        Built once; :meth:`reset_instance` forgets it (tests, or after changing config).
        """
        with TicketingService._instance_lock:
            if TicketingService._instance is None:
                from bridge.config import build_service, load_config

                TicketingService._instance = build_service(load_config(config_path))
            return TicketingService._instance

    @classmethod
    def reset_instance(cls) -> None:
        """Forget the process-wide service so the next :meth:`get_instance` builds a new one."""
        with TicketingService._instance_lock:
            TicketingService._instance = None

    # ---------------------------------------------------------------- primitives

    @abstractmethod
    def _create(self, draft: TicketDraft) -> Ticket:
        """Store a new ticket and return it with its id."""

    @abstractmethod
    def _get(self, ticket_id: str) -> Ticket:
        """Return the ticket or raise ``NotFoundError``."""

    @abstractmethod
    def _update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        """Apply only the given fields and return the ticket as stored."""

    @abstractmethod
    def _add_comment(self, ticket_id: str, body: str, author: str) -> Comment:
        """Append a comment and return it."""

    @abstractmethod
    def _list_comments(self, ticket_id: str) -> list[Comment]:
        """All comments of a ticket, oldest first."""

    @abstractmethod
    def _list(self, query: TicketQuery) -> TicketPage:
        """One page of tickets matching ``query``, oldest first."""

    def find_by_idempotency_key(self, key: str) -> Ticket | None:
        """The ticket created with this idempotency key, or ``None``.

        The resilience layer calls this after an ambiguous failure of a create, before it
        sends the create again. Adapters that store the key override it.
        """
        from bridge.errors import UnsupportedError

        raise UnsupportedError(
            "this tracker cannot look tickets up by idempotency key", adapter=self.adapter_name
        )

    sync_overlap: ClassVar[timedelta] = timedelta(seconds=60)
    """How far back a sync re-reads, for clock skew and search that lags behind writes."""

    @property
    def sync_scope(self) -> str:
        """Names the tracker instance and project; a sync's id map belongs to one scope."""
        return self.adapter_name

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """Tickets (any status) and comments changed since ``since`` (all when ``None``).

        ``validators`` are the ones a previous feed returned; adapters that support
        conditional requests answer ``not_modified`` when nothing changed.
        """
        from bridge.feed import generic_changes

        return generic_changes(self, since)

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections or files the adapter holds."""

    def __enter__(self) -> TicketingService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- public API

    def create_ticket(
        self,
        title: str,
        description: str = "",
        *,
        priority: Priority | str = Priority.MEDIUM,
        status: Status | str = Status.OPEN,
        type: TicketType | str = TicketType.TASK,
        assignee: str | None = None,
        labels: Iterable[str] = (),
        parent_id: str | None = None,
        dependencies: Iterable[str] = (),
        metadata: dict[str, JsonValue] | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Create a ticket and return it as stored (with its id and tracker reference).

        Raises ``InvalidError`` for bad input, ``NotFoundError`` for an unknown parent or
        dependency, and the transient errors when the tracker cannot be reached.
        """
        try:
            draft = TicketDraft(
                title=title,
                description=description,
                priority=priority,
                status=status,
                type=type,
                assignee=assignee,
                labels=list(labels),
                parent_id=parent_id,
                dependencies=list(dependencies),
                metadata=metadata or {},
                idempotency_key=idempotency_key,
            )
        except ValidationError as exc:
            raise invalid_from_validation(exc, adapter=self.adapter_name) from None
        self._check_description(draft.description)
        return self._create(draft)

    def create_from_draft(self, draft: TicketDraft) -> Ticket:
        """Create a ticket from an already validated draft."""
        self._check_description(draft.description)
        return self._create(draft)

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Return the ticket; raises ``NotFoundError`` if there is none."""
        return self._get(self._id(ticket_id))

    def update_ticket(self, ticket_id: str, **changes: Any) -> Ticket:
        """Change only the given fields (``status="blocked"``, ``priority="high"``, ...).

        A field that is not given is never reset. ``assignee=None`` and ``parent_id=None``
        clear those; fields that cannot be empty reject ``None``.
        """
        ticket_id = self._id(ticket_id)
        return self._update(ticket_id, self._changes(ticket_id, changes))

    def add_comment(self, ticket_id: str, text: str, author: str = "ticket-bridge") -> Comment:
        """Add a comment by ``author`` and return it."""
        ticket_id = self._id(ticket_id)
        if not isinstance(text, str) or not text.strip():
            raise InvalidError("comment text must not be empty", ticket_id=ticket_id)
        if len(text) > MAX_COMMENT:
            raise InvalidError(
                f"comment is {len(text)} characters long; the maximum is {MAX_COMMENT}",
                ticket_id=ticket_id,
            )
        if not isinstance(author, str) or not author.strip():
            raise InvalidError("comment author must not be empty", ticket_id=ticket_id)
        return self._add_comment(ticket_id, text, author.strip())

    def list_comments(self, ticket_id: str) -> list[Comment]:
        """All comments of the ticket, oldest first."""
        return self._list_comments(self._id(ticket_id))

    def close_ticket(
        self, ticket_id: str, resolution: str | None = None, *, status: Status | str = "closed"
    ) -> Ticket:
        """Close (or, with ``status="resolved"``, resolve) the ticket, recording the resolution."""
        done = Status.parse(status, "status")
        if not done.is_done:
            raise InvalidError(f"close_ticket takes resolved or closed, not {done.value!r}")
        changes: dict[str, Any] = {"status": done}
        if resolution is not None:
            changes["resolution"] = resolution
        return self.update_ticket(ticket_id, **changes)

    def reopen_ticket(self, ticket_id: str) -> Ticket:
        """Open a resolved or closed ticket again; its resolution is cleared."""
        return self.update_ticket(ticket_id, status=Status.OPEN, resolution=None)

    def list_tickets(
        self,
        *,
        status: Status | str | Iterable[Status | str] | None = None,
        priority: Priority | str | Iterable[Priority | str] | None = None,
        type: TicketType | str | Iterable[TicketType | str] | None = None,
        assignee: str | None = None,
        labels: Iterable[str] = (),
        parent_id: str | None = None,
        updated_since: datetime | None = None,
        text: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> TicketPage:
        """One page of tickets matching every given filter, oldest first.

        Pass the page's ``next_cursor`` back as ``cursor`` for the next page; it is ``None``
        on the last page.
        """
        try:
            query = TicketQuery(
                status=status,
                priority=priority,
                type=type,
                assignee=assignee,
                labels=list(labels),
                parent_id=parent_id,
                updated_since=updated_since,
                text=text,
                limit=limit,
                cursor=cursor,
            )
        except ValidationError as exc:
            raise invalid_from_validation(exc, adapter=self.adapter_name) from None
        return self._list(query)

    def iter_tickets(self, **filters: Any) -> Iterator[Ticket]:
        """Every ticket matching the filters of :meth:`list_tickets`, page after page."""
        filters.setdefault("limit", 100)
        cursor: str | None = None
        while True:
            page = self.list_tickets(**filters, cursor=cursor)
            yield from page
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def get_children(self, ticket_id: str) -> list[Ticket]:
        """The direct subtasks of the ticket, oldest first."""
        return list(self.iter_tickets(parent_id=self._id(ticket_id)))

    def link_parent(self, child_id: str, parent_id: str) -> Ticket:
        """Make ``child_id`` a subtask of ``parent_id``."""
        return self.update_ticket(child_id, parent_id=self._id(parent_id))

    def unlink_parent(self, child_id: str) -> Ticket:
        """Detach ``child_id`` from its parent."""
        return self.update_ticket(child_id, parent_id=None)

    def add_dependency(self, ticket_id: str, depends_on: str) -> Ticket:
        """Record that ``ticket_id`` is blocked by ``depends_on``."""
        ticket = self.get_ticket(ticket_id)
        depends_on = self._id(depends_on)
        if depends_on in ticket.dependencies:
            return ticket
        return self.update_ticket(ticket_id, dependencies=[*ticket.dependencies, depends_on])

    def remove_dependency(self, ticket_id: str, depends_on: str) -> Ticket:
        """Drop the record that ``ticket_id`` is blocked by ``depends_on``."""
        ticket = self.get_ticket(ticket_id)
        depends_on = self._id(depends_on)
        if depends_on not in ticket.dependencies:
            return ticket
        remaining = [dep for dep in ticket.dependencies if dep != depends_on]
        return self.update_ticket(ticket_id, dependencies=remaining)

    # ---------------------------------------------------------------- helpers

    def _id(self, ticket_id: object) -> str:
        return check_ticket_id(ticket_id, adapter=self.adapter_name)

    def _changes(self, ticket_id: str, changes: dict[str, Any]) -> TicketChanges:
        try:
            parsed = TicketChanges(**changes)
        except ValidationError as exc:
            raise invalid_from_validation(
                exc, adapter=self.adapter_name, ticket_id=ticket_id
            ) from None
        if parsed.description is not None:
            self._check_description(parsed.description, ticket_id)
        return parsed

    def _check_description(self, description: str, ticket_id: str | None = None) -> None:
        limit = self.capabilities.max_description
        if limit is not None and len(description) > limit:
            raise InvalidError(
                f"description is {len(description)} characters long; "
                f"{self.adapter_name} allows at most {limit}",
                adapter=self.adapter_name,
                ticket_id=ticket_id,
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.adapter_name}>"
