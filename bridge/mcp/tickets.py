"""The ticket tools: create, read, change, comment, close, list, search and link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import Field, JsonValue

from bridge.mcp import schemas as s
from bridge.mcp.context import Offline, ToolContext, respond
from bridge.mcp.paging import (
    BUDGET,
    Cursor,
    fit_count,
    fit_field,
    fit_ticket,
    page_tickets,
    ticket_line,
)
from bridge.mcp.paging import wire_cost as cost
from bridge.models import Comment, Ticket

__all__ = ["ROOM", "TicketTools"]

ROOM = BUDGET - 2_000
"""What the tickets of one response may fill; the rest is the result's own fields."""
MAX_PROBLEMS = 20


class TicketTools:
    """Tools over :class:`~bridge.service.TicketingService`; each method is one tool."""

    def __init__(self, ctx: ToolContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ results

    def ticket_result(
        self,
        ticket: Ticket,
        offline: Offline,
        *,
        offset: int = 0,
        model: type[s.TicketResult] = s.TicketResult,
        **extra: Any,
    ) -> CallToolResult:
        """One ticket; a description too long for one response is cut, with the offset to
        read on from."""
        shown = ticket.model_copy(update={"description": ticket.description[offset:]})
        room = ROOM - sum(cost(v) for v in extra.values())
        data, cut = fit_ticket(shown, room)
        if cut == 0 and shown.description:
            raise self.ctx.fail(
                f"{ticket.id}: its other fields leave no room for the description in one "
                "response; read the ticket on the tracker"
            )
        return respond(
            model.model_validate(
                {
                    "ticket": data,
                    **self.ctx.pending(offline, ticket.pending),
                    "description_next_offset": None if cut is None else offset + cut,
                    **extra,
                }
            )
        )

    def ticket_list(
        self,
        tool: str,
        filters: dict[str, Any],
        *,
        detail: bool,
        limit: int,
        cursor: str | None,
    ) -> CallToolResult:
        """A page of ``list_tickets(**filters)``, one line per ticket unless ``detail``."""
        digest = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items()}
        position = Cursor(tool, {**digest, "detail": detail})
        cut: dict[str, int] = {}

        def render(ticket: Ticket) -> Any:
            if not detail:
                return ticket_line(ticket)
            data, at = fit_ticket(ticket, ROOM)
            if at is not None:
                cut[ticket.id] = at
            return data

        (items, next_cursor, problems), _ = self.ctx.run(
            lambda: page_tickets(
                self.ctx.service,
                filters,
                position,
                cursor,
                render=render,
                limit=limit,
                room=ROOM,
            )
        )
        return respond(
            s.TicketList.model_validate(
                {
                    "tickets": items,
                    "count": len(items),
                    "next_cursor": next_cursor,
                    "problems": problems[:MAX_PROBLEMS],
                    "cut_descriptions": cut,
                }
            )
        )

    # ------------------------------------------------------------ tools

    def create_ticket(
        self,
        title: s.Title,
        description: s.Description = None,
        priority: s.Priority = "medium",
        type: s.TicketTypeArg = "task",
        assignee: s.Assignee = None,
        labels: s.Labels = None,
        parent_id: s.OptTicketId = None,
        dependencies: Annotated[
            list[str] | None, Field(description="ids of tickets this one is blocked by")
        ] = None,
        metadata: s.Metadata = None,
        idempotency_key: s.IdempotencyKey = None,
    ) -> Annotated[CallToolResult, s.TicketResult]:
        """Create a ticket and return it as stored, with its id. With the tracker down it is
        made in the local store and queued (pending: true). Give an idempotency_key to make
        retries safe: the same key never makes a second ticket."""

        def create() -> tuple[Ticket, bool]:
            earlier = self.ctx.find_created(idempotency_key)
            if earlier is not None:
                return earlier, True
            made = self.ctx.service.create_ticket(
                title,
                description or "",
                priority=priority,
                type=type,
                assignee=assignee,
                labels=labels or [],
                parent_id=parent_id,
                dependencies=dependencies or [],
                metadata=metadata,
                idempotency_key=idempotency_key,
            )
            return made, False

        (ticket, existing), offline = self.ctx.run(create)
        return self.ticket_result(ticket, offline, existing=existing)

    def get_ticket(
        self,
        ticket_id: s.TicketId,
        comments: Annotated[bool, Field(description="also its comments, oldest first")] = False,
        comments_cursor: Annotated[
            str | None, Field(description="comments_next_cursor of the previous response")
        ] = None,
        description_offset: Annotated[
            int, Field(ge=0, description="description_next_offset of the previous response")
        ] = 0,
    ) -> Annotated[CallToolResult, s.TicketWithComments]:
        """One whole ticket (every field), optionally with its comments."""
        position = Cursor("get_ticket.comments", ticket_id)
        start = position.offset(comments_cursor)

        def read() -> tuple[Ticket, list[Comment] | None]:
            ticket = self.ctx.service.get_ticket(ticket_id)
            wanted = comments or comments_cursor is not None
            return ticket, self.ctx.service.list_comments(ticket_id) if wanted else None

        (ticket, found), offline = self.ctx.run(read)
        extra: dict[str, Any] = {}
        if found is not None:
            shown = [c.model_dump(mode="json") for c in found[start : start + 200]]
            room = ROOM - min(cost(ticket.model_dump(mode="json")), ROOM // 2)
            count = fit_count([cost(c) for c in shown], room) if shown else 0
            if count == 1:  # one comment longer than a response: its body is cut to fit
                shown[0] = fit_field(shown[0], "body", room)[0]
            more = start + count < len(found)
            extra = {
                "comments": shown[:count],
                "comments_next_cursor": position.encode(o=start + count) if more else None,
            }
        return self.ticket_result(
            ticket, offline, offset=description_offset, model=s.TicketWithComments, **extra
        )

    def update_ticket(
        self,
        ticket_id: s.TicketId,
        title: Annotated[str | None, Field(max_length=255, description="new title")] = None,
        description: s.OptText = None,
        status: s.OptStatus = None,
        priority: s.OptPriority = None,
        type: s.OptType = None,
        assignee: Annotated[str | None, Field(description="new owner; omit to keep")] = None,
        unassign: Annotated[bool, Field(description="remove the assignee")] = False,
        labels: Annotated[list[str] | None, Field(description="the new labels, all")] = None,
        metadata: Annotated[
            dict[str, JsonValue] | None, Field(description="the new metadata, whole")
        ] = None,
        resolution: Annotated[str | None, Field(description="new resolution text")] = None,
    ) -> Annotated[CallToolResult, s.TicketResult]:
        """Change only the given fields of a ticket; anything left out is kept."""
        given = {
            "title": title,
            "description": description,
            "status": status,
            "priority": priority,
            "type": type,
            "assignee": assignee,
            "labels": labels,
            "metadata": metadata,
            "resolution": resolution,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if unassign:
            changes["assignee"] = None
        if not changes:
            raise self.ctx.fail("nothing to update: give at least one field to change")
        ticket, offline = self.ctx.run(lambda: self.ctx.service.update_ticket(ticket_id, **changes))
        return self.ticket_result(ticket, offline)

    def add_comment(
        self,
        ticket_id: s.TicketId,
        text: s.Text,
        author: Annotated[
            str, Field(min_length=1, max_length=100, description="who writes, e.g. qa-agent")
        ] = "ticket-bridge",
    ) -> Annotated[CallToolResult, s.CommentResult]:
        """Add a comment to a ticket."""
        comment, offline = self.ctx.run(
            lambda: self.ctx.service.add_comment(ticket_id, text, author=author)
        )
        return respond(
            s.CommentResult(comment=comment, **self.ctx.pending(offline, offline.queued))
        )

    def close_ticket(
        self,
        ticket_id: s.TicketId,
        resolution: Annotated[
            str | None, Field(description="what was done, e.g. Fixed in PR #123")
        ] = None,
        resolved: Annotated[bool, Field(description="status resolved rather than closed")] = False,
    ) -> Annotated[CallToolResult, s.TicketResult]:
        """Close a ticket (or resolve it), recording the resolution."""
        status = "resolved" if resolved else "closed"
        ticket, offline = self.ctx.run(
            lambda: self.ctx.service.close_ticket(ticket_id, resolution, status=status)
        )
        return self.ticket_result(ticket, offline)

    def reopen_ticket(self, ticket_id: s.TicketId) -> Annotated[CallToolResult, s.TicketResult]:
        """Open a resolved or closed ticket again; its resolution is cleared."""
        ticket, offline = self.ctx.run(lambda: self.ctx.service.reopen_ticket(ticket_id))
        return self.ticket_result(ticket, offline)

    def list_tickets(
        self,
        status: s.StatusFilter = None,
        priority: s.PriorityFilter = None,
        type: s.TypeFilter = None,
        assignee: Annotated[str | None, Field(description="only this owner's")] = None,
        labels: Annotated[list[str] | None, Field(description="having all of these")] = None,
        parent_id: Annotated[str | None, Field(description="only subtasks of this")] = None,
        updated_since: Annotated[
            datetime | None, Field(description="changed at or after (ISO 8601)")
        ] = None,
        detail: s.Detail = False,
        limit: s.Limit = 100,
        cursor: s.PageCursor = None,
    ) -> Annotated[CallToolResult, s.TicketList]:
        """Tickets matching every given filter, oldest first: one line each, paged."""
        filters = {
            "status": status,
            "priority": priority,
            "type": type,
            "assignee": assignee,
            "labels": labels or [],
            "parent_id": parent_id,
            "updated_since": updated_since,
        }
        return self.ticket_list("list_tickets", filters, detail=detail, limit=limit, cursor=cursor)

    def search_tickets(
        self,
        query: Annotated[str, Field(min_length=1, description="words in the title or description")],
        status: s.StatusFilter = None,
        assignee: Annotated[str | None, Field(description="only this owner's")] = None,
        detail: s.Detail = False,
        limit: s.Limit = 100,
        cursor: s.PageCursor = None,
    ) -> Annotated[CallToolResult, s.TicketList]:
        """Tickets whose title or description holds every word of the text (any order, any
        case), oldest first."""
        filters = {"text": query, "status": status, "assignee": assignee}
        return self.ticket_list(
            "search_tickets", filters, detail=detail, limit=limit, cursor=cursor
        )

    def get_children(
        self,
        ticket_id: s.TicketId,
        detail: s.Detail = False,
        limit: s.Limit = 100,
        cursor: s.PageCursor = None,
    ) -> Annotated[CallToolResult, s.TicketList]:
        """The direct subtasks of a ticket, oldest first."""
        if cursor is None:
            self.ctx.run(lambda: self.ctx.service.get_ticket(ticket_id))  # unknown: an error
        return self.ticket_list(
            "get_children", {"parent_id": ticket_id}, detail=detail, limit=limit, cursor=cursor
        )

    def link_tickets(
        self,
        ticket_id: s.TicketId,
        parent_id: Annotated[
            str | None, Field(description="make ticket_id a subtask of this ticket")
        ] = None,
        depends_on: Annotated[
            str | None, Field(description="record that ticket_id is blocked by this ticket")
        ] = None,
        remove: Annotated[
            bool, Field(description="undo instead: detach from the parent or the dependency")
        ] = False,
    ) -> Annotated[CallToolResult, s.TicketResult]:
        """Set (or with remove, undo) a parent or a dependency: give exactly one of them."""
        if (parent_id is None) == (depends_on is None):
            raise self.ctx.fail("give exactly one of parent_id or depends_on")
        service = self.ctx.service

        def link() -> Ticket:
            if parent_id is not None:
                if remove:
                    return service.unlink_parent(ticket_id)
                return service.link_parent(ticket_id, parent_id)
            assert depends_on is not None
            if remove:
                return service.remove_dependency(ticket_id, depends_on)
            return service.add_dependency(ticket_id, depends_on)

        ticket, offline = self.ctx.run(link)
        return self.ticket_result(ticket, offline)
