"""``TicketingService``: the one public API, over one :class:`~bridge.contract.Adapter`.

The adapter implements a handful of primitives; the service validates its input once, here,
and builds the conveniences (close, reopen, children, links) on them. Every method raises
only :mod:`bridge.errors` errors::

    tickets = TicketingService(LocalJsonAdapter(".tickets"))
    bug = tickets.create_ticket("ImportError in --version", priority="critical", type="bug")

``TicketingService.get_instance()`` is the process default (the guide calls it); the factory
(:mod:`bridge.factory`) decides what it is, through :func:`install_default_provider`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from pydantic import JsonValue, ValidationError

from bridge._default import installed
from bridge.contract import Adapter, Capabilities
from bridge.errors import InvalidError
from bridge.feed import ChangeFeed
from bridge.inputs import check_text, shown
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

__all__ = ["Capabilities", "DefaultProvider", "TicketingService", "install_default_provider"]

MAX_COMMENT = 65_536


class DefaultProvider(Protocol):
    """Builds, keeps and forgets the process-wide default service."""

    def get(self, config_path: str | Path | None = None) -> TicketingService: ...

    def reset(self) -> None: ...


def install_default_provider(provider: DefaultProvider) -> None:
    """Make ``provider`` answer :meth:`TicketingService.get_instance` (the factory does)."""
    installed[:] = [provider]


def _default_provider() -> DefaultProvider:
    if not installed:  # pragma: no cover - bridge/__init__ installs one on import
        raise RuntimeError("no default provider: import bridge first")
    return cast(DefaultProvider, installed[-1])


class TicketingService:
    """Create, read, update, comment on, close, list and link tickets on one tracker."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    # ---------------------------------------------------------------- process default

    @classmethod
    def get_instance(cls, config_path: str | Path | None = None) -> TicketingService:
        """The process-wide service built from the discovered configuration.

        Built once; :meth:`reset_instance` forgets it (tests, or after changing config).
        """
        return _default_provider().get(config_path)

    @classmethod
    def reset_instance(cls) -> None:
        """Forget the process-wide service so the next :meth:`get_instance` builds a new one."""
        _default_provider().reset()

    # ---------------------------------------------------------------- the adapter

    @property
    def adapter_name(self) -> str:
        """The adapter's name, as errors carry it."""
        return self.adapter.name

    @property
    def capabilities(self) -> Capabilities:
        """What the adapter can do."""
        return self.adapter.capabilities

    @property
    def sync_scope(self) -> str:
        """Names the tracker instance and project; a sync's id map belongs to one scope."""
        return self.adapter.sync_scope

    @property
    def sync_overlap(self) -> timedelta:
        """How far back a sync re-reads, for clock skew and search that lags behind writes."""
        return self.adapter.sync_overlap

    def changes_since(
        self, since: datetime | None, validators: dict[str, str] | None = None
    ) -> ChangeFeed:
        """Tickets (any status) and comments changed since ``since`` (all when ``None``)."""
        return self.adapter.changes_since(since, validators)

    def find_by_idempotency_key(self, key: str) -> Ticket | None:
        """The ticket created with this idempotency key, or ``None``."""
        return self.adapter.find_by_key(key)

    def close(self) -> None:
        """Release connections or files the adapter holds."""
        self.adapter.close()

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
        **unknown: Any,
    ) -> Ticket:
        """Create a ticket and return it as stored (with its id and tracker reference).

        Raises ``InvalidError`` for bad input (an unknown field too, as ``update_ticket``
        does), ``NotFoundError`` for an unknown parent or dependency, and the transient
        errors when the tracker cannot be reached.
        """
        if unknown:
            raise InvalidError(
                "; ".join(f"{name}: unknown field" for name in sorted(unknown)),
                adapter=self.adapter_name,
            )
        self._check_lists({"labels": labels, "dependencies": dependencies})
        try:
            draft = TicketDraft(
                title=title,
                description=description,
                priority=priority,
                status=status,
                type=type,
                assignee=assignee,
                labels=labels,
                parent_id=parent_id,
                dependencies=dependencies,
                metadata={} if metadata is None else metadata,
                idempotency_key=idempotency_key,
            )
        except ValidationError as exc:
            raise invalid_from_validation(exc, adapter=self.adapter_name) from None
        self._check_description(draft.description)
        return self.adapter.create(draft)

    def create_from_draft(self, draft: TicketDraft) -> Ticket:
        """Create a ticket from an already validated draft."""
        self._check_description(draft.description)
        return self.adapter.create(draft)

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Return the ticket; raises ``NotFoundError`` if there is none."""
        return self.adapter.get(self._id(ticket_id))

    def update_ticket(self, ticket_id: str, **changes: Any) -> Ticket:
        """Change only the given fields (``status="blocked"``, ``priority="high"``, ...).

        A field that is not given is never reset. ``assignee=None`` and ``parent_id=None``
        clear those; fields that cannot be empty reject ``None``.
        """
        ticket_id = self._id(ticket_id)
        return self.adapter.update(ticket_id, self._changes(ticket_id, changes))

    def add_comment(
        self,
        ticket_id: str,
        text: str,
        author: str = "ticket-bridge",
        *,
        idempotency_key: str | None = None,
    ) -> Comment:
        """Add a comment by ``author`` and return it.

        A comment sent again with the same ``idempotency_key`` after a failure that may have
        let the first one through is posted once (the resilience layer looks it up by key).
        """
        ticket_id = self._id(ticket_id)
        for field, value in (("text", text), ("author", author)):
            if not isinstance(value, str):
                raise InvalidError(
                    f"comment {field} must be a string, not {type(value).__name__} {shown(value)}",
                    ticket_id=ticket_id,
                )
            try:
                check_text(value)
            except ValueError as exc:
                raise InvalidError(f"comment {field}: {exc}", ticket_id=ticket_id) from None
        if not text.strip():
            raise InvalidError("comment text must not be empty", ticket_id=ticket_id)
        if len(text) > MAX_COMMENT:
            raise InvalidError(
                f"comment is {len(text)} characters long; the maximum is {MAX_COMMENT}",
                ticket_id=ticket_id,
            )
        if not author.strip():
            raise InvalidError("comment author must not be empty", ticket_id=ticket_id)
        return self.adapter.add_comment(ticket_id, text, author.strip(), key=idempotency_key)

    def list_comments(self, ticket_id: str) -> list[Comment]:
        """All comments of the ticket, oldest first."""
        return self.adapter.list_comments(self._id(ticket_id))

    def close_ticket(
        self, ticket_id: str, resolution: str | None = None, *, status: Status | str = "closed"
    ) -> Ticket:
        """Close (or, with ``status="resolved"``, resolve) the ticket, recording the resolution.

        A ticket that already has that status is returned as it is: its resolution is kept
        (change it with ``update_ticket(id, resolution=...)``)."""
        done = Status.parse(status, "status")
        if not done.is_done:
            raise InvalidError(f"close_ticket takes resolved or closed, not {done.value!r}")
        changes: dict[str, Any] = {"status": done}
        if resolution is not None:
            changes["resolution"] = resolution
        ticket_id = self._id(ticket_id)
        parsed = self._changes(ticket_id, changes).unless_status(done)
        return self.adapter.update(ticket_id, parsed)

    def reopen_ticket(self, ticket_id: str) -> Ticket:
        """Open a resolved or closed ticket again; its resolution is cleared.

        A ticket that is not resolved or closed (open, in progress, blocked) is returned as it
        is, its status kept."""
        ticket_id = self._id(ticket_id)
        changes = self._changes(ticket_id, {"status": Status.OPEN, "resolution": None})
        kept = (s for s in Status if not s.is_done)
        return self.adapter.update(ticket_id, changes.unless_status(*kept))

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
                labels=labels,
                parent_id=parent_id,
                updated_since=updated_since,
                text=text,
                limit=limit,
                cursor=cursor,
            )
        except ValidationError as exc:
            raise invalid_from_validation(exc, adapter=self.adapter_name) from None
        return self.adapter.list(query)

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
        """Record that ``ticket_id`` is blocked by ``depends_on`` (its other links stay)."""
        return self.adapter.change_dependencies(self._id(ticket_id), add=[self._id(depends_on)])

    def remove_dependency(self, ticket_id: str, depends_on: str) -> Ticket:
        """Drop the record that ``ticket_id`` is blocked by ``depends_on``."""
        return self.adapter.change_dependencies(self._id(ticket_id), remove=[self._id(depends_on)])

    # ---------------------------------------------------------------- helpers

    def _id(self, ticket_id: object) -> str:
        return check_ticket_id(ticket_id, adapter=self.adapter_name)

    def _changes(self, ticket_id: str, changes: dict[str, Any]) -> TicketChanges:
        self._check_lists(changes, ticket_id)
        try:
            parsed = TicketChanges(**changes)
        except ValidationError as exc:
            raise invalid_from_validation(
                exc, adapter=self.adapter_name, ticket_id=ticket_id
            ) from None
        if parsed.description is not None:
            self._check_description(parsed.description, ticket_id)
        return parsed

    def _check_lists(self, given: dict[str, Any], ticket_id: str | None = None) -> None:
        """Labels and dependencies are lists: a string is not taken for a list of letters,
        and None is no list (``[]`` empties them)."""
        for name in ("labels", "dependencies"):
            value = given.get(name, ())
            if value is None or isinstance(value, str | bytes):
                got = "None" if value is None else f"the string {shown(value)}"
                raise InvalidError(
                    f"{name}: must be a list, not {got} (give [] to empty it)",
                    adapter=self.adapter_name,
                    ticket_id=ticket_id,
                )

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
        return f"<{type(self).__name__} over {self.adapter!r}>"
