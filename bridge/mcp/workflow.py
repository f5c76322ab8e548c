"""The PM workflow tools: ready work, workload, SLAs, progress, agent tasks, outbox, sync."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import Field, JsonValue

from bridge.mcp import schemas as s
from bridge.mcp.context import respond
from bridge.mcp.paging import Cursor, fit_ticket, slice_page, ticket_line
from bridge.mcp.tickets import ROOM, TicketTools
from bridge.models import Comment, Ticket

__all__ = ["WorkflowTools"]

MAX_REPORTS = 8


def _sync_lines(report: dict[str, Any]) -> list[str]:
    """A sync report's items, one ``kind: detail`` line each."""
    lines: list[str] = []
    for kind in (
        "created_local",
        "created_remote",
        "updated_local",
        "updated_remote",
        "skipped",
        "conflicts",
        "problems",
        "plan",
    ):
        lines += [f"{kind}: {item}" for item in report.get(kind, [])]
    return lines


class WorkflowTools(TicketTools):
    """The guide's PM layer as tools, over the same context as the ticket tools."""

    def _helper(self) -> Any:
        from bridge.workflows.helper import TicketingHelper

        return TicketingHelper(self.ctx.service)

    def ready_work(
        self,
        agent: Annotated[str | None, Field(description="only this agent's (assignee's)")] = None,
        parent_id: Annotated[str | None, Field(description="only subtasks of this")] = None,
        detail: s.Detail = False,
        limit: s.Limit = 20,
        cursor: s.PageCursor = None,
    ) -> Annotated[CallToolResult, s.TicketList]:
        """What can be started now: open tickets whose dependencies are all resolved or
        closed, most urgent first, then oldest."""
        from bridge.workflows.ready import ready_work

        position = Cursor("ready_work", [agent, parent_id, detail])
        start = position.offset(cursor)
        found, _ = self.ctx.run(
            lambda: ready_work(
                self.ctx.service, agent=agent, parent_id=parent_id, limit=start + limit + 1
            )
        )

        def render(ticket: Ticket) -> JsonValue:
            return fit_ticket(ticket, ROOM)[0] if detail else ticket_line(ticket)

        items, end = slice_page(found, render, start=start, limit=limit, room=ROOM)
        return respond(
            s.TicketList.model_validate(
                {
                    "tickets": items,
                    "count": len(items),
                    "next_cursor": None if end is None else position.encode(o=end),
                }
            )
        )

    def agent_workload(
        self,
        agents: Annotated[
            list[str] | None,
            Field(max_length=100, description="these agents (default: the configured ones)"),
        ] = None,
    ) -> Annotated[CallToolResult, s.Workload]:
        """Per agent: tickets by status, load, capacity and whether it can take more work."""
        from bridge.workflows.workload import get_agent_availability

        helper = self._helper()

        def read() -> dict[str, dict[str, Any]]:
            names = agents if agents else None
            available = get_agent_availability(names, helper=helper)
            return {a: {**helper.get_agent_workload(a), **v} for a, v in available.items()}

        table, _ = self.ctx.run(read)
        return respond(s.Workload.model_validate({"agents": table}))

    def sla_breaches(
        self, limit: s.Limit = 100, cursor: s.PageCursor = None
    ) -> Annotated[CallToolResult, s.BreachList]:
        """Open, in-progress and blocked tickets past their SLA due time, most overdue first
        (read only: no one is notified)."""
        from bridge.workflows.sla import Overdue, overdue_tickets

        position = Cursor("sla_breaches", None)
        start = position.offset(cursor)
        late, _ = self.ctx.run(lambda: overdue_tickets(self.ctx.service))

        def render(o: Overdue) -> JsonValue:
            return {
                "id": o.ticket.id,
                "priority": o.ticket.priority.value,
                "due_at": o.due_at.isoformat(),
                "hours_late": round(o.hours_late, 2),
                "title": o.ticket.title,
            }

        items, end = slice_page(late, render, start=start, limit=limit, room=ROOM)
        return respond(
            s.BreachList.model_validate(
                {
                    "breaches": items,
                    "count": len(items),
                    "next_cursor": None if end is None else position.encode(o=end),
                }
            )
        )

    def feature_progress(
        self,
        ticket_ids: Annotated[
            list[str], Field(min_length=1, max_length=500, description="the phase tickets")
        ],
    ) -> Annotated[CallToolResult, s.FeatureProgress]:
        """How far a phased feature is: the share of its phase tickets resolved or closed."""
        from bridge.workflows.phased import get_feature_progress

        progress, _ = self.ctx.run(lambda: get_feature_progress(ticket_ids, self.ctx.service))
        return respond(s.FeatureProgress.model_validate(progress))

    def create_agent_task_ticket(
        self,
        agent_name: s.AgentName,
        task_description: Annotated[
            str, Field(min_length=1, description="the task; the title is '[agent] task'")
        ],
        priority: s.Priority = "medium",
        additional_context: Annotated[
            dict[str, JsonValue] | None,
            Field(
                description="kept as metadata; parent_ticket sets the parent, type the ticket "
                "type, dependencies (ticket ids or agent names) blocked-by links"
            ),
        ] = None,
        idempotency_key: s.IdempotencyKey = None,
    ) -> Annotated[CallToolResult, s.TicketResult]:
        """The guide's create_agent_task_ticket: a ticket owned by the agent, with SLA due
        time, links from the context, and stakeholder notice for urgent work."""

        def create() -> tuple[Ticket, bool]:
            earlier = self.ctx.find_created(idempotency_key)
            if earlier is not None:
                return earlier, True
            made = self._helper().create_agent_task_ticket(
                agent_name,
                task_description,
                priority,
                dict(additional_context or {}),
                idempotency_key=idempotency_key,
            )
            return made, False

        (ticket, existing), offline = self.ctx.run(create)
        return self.ticket_result(ticket, offline, existing=existing)

    def track_agent_progress(
        self,
        ticket_id: s.TicketId,
        agent_name: s.AgentName,
        checkpoint: Annotated[
            s.Checkpoint,
            Field(
                description="started (-> in_progress), analysis_complete, "
                "implementation_started, testing, completed (-> resolved), blocked (-> "
                "blocked, priority raised to at least high)"
            ),
        ],
    ) -> Annotated[CallToolResult, s.ProgressResult]:
        """Record an agent's checkpoint as a comment by <agent>-agent and move the status as
        the guide says."""
        from bridge.workflows.progress import track_agent_progress

        def track() -> tuple[Comment, Ticket]:
            service = self.ctx.service
            comment = track_agent_progress(ticket_id, agent_name, checkpoint, service)
            return comment, service.get_ticket(ticket_id)

        (comment, ticket), offline = self.ctx.run(track)
        return respond(
            s.ProgressResult(
                comment=comment,
                ticket=ticket_line(ticket),
                **self.ctx.pending(offline, ticket.pending),
            )
        )

    def ticket_tree(
        self, ticket_id: s.TicketId, cursor: s.PageCursor = None
    ) -> Annotated[CallToolResult, s.LineList]:
        """A ticket with its subtasks, recursively (indented), resolutions and blockers."""
        from bridge.workflows.tree import render_tree

        position = Cursor("ticket_tree", ticket_id)
        start = position.offset(cursor)
        service = self.ctx.service
        lines, _ = self.ctx.run(lambda: render_tree(service, service.get_ticket(ticket_id)))
        items, end = slice_page(lines, lambda line: line, start=start, limit=2_000, room=ROOM)
        next_cursor = None if end is None else position.encode(o=end)
        return respond(
            s.LineList(lines=[str(i) for i in items], count=len(items), next_cursor=next_cursor)
        )

    def outbox_status(
        self, limit: s.Limit = 100, cursor: s.PageCursor = None
    ) -> Annotated[CallToolResult, s.OutboxStatus]:
        """Operations done locally while the tracker was unreachable and not sent yet."""
        position = Cursor("outbox_status", None)
        start = position.offset(cursor)
        outbox = self.ctx.outbox
        entries, _ = self.ctx.run(lambda: outbox.entries() if outbox is not None else [])
        rows: list[JsonValue] = [
            {
                "seq": e.seq,
                "op": e.op,
                "ticket_id": e.ticket_id,
                "state": e.state,
                "queued_at": e.created_at,
                "error": None if e.error is None else self.ctx.scrub(e.error)[:500],
            }
            for e in entries
        ]
        items, end = slice_page(rows, lambda r: r, start=start, limit=limit, room=ROOM)
        status = {
            "tracker": self.ctx.tracker,
            "fallback": outbox is not None,
            "queued": len(entries),
            "entries": items,
            "next_cursor": None if end is None else position.encode(o=end),
        }
        return respond(s.OutboxStatus.model_validate(status))

    def sync(
        self,
        direction: Annotated[
            Literal["both", "pull", "push"],
            Field(description="pull tracker changes here, push local ones there, or both"),
        ] = "both",
        dry_run: Annotated[bool, Field(description="only plan; nothing is written")] = False,
        full: Annotated[bool, Field(description="read everything, not just changes")] = False,
        cursor: Annotated[
            str | None,
            Field(description="next_cursor of an earlier sync: read on in that report"),
        ] = None,
    ) -> Annotated[CallToolResult, s.SyncResult]:
        """Two-way sync of the local store with the tracker (the outbox is replayed first)."""
        if cursor is not None:
            return self._report_page(cursor)
        report, _ = self.ctx.run(lambda: self._sync(direction, dry_run=dry_run, full=full))
        key = uuid.uuid4().hex[:12]
        self.ctx.reports[key] = report
        while len(self.ctx.reports) > MAX_REPORTS:
            self.ctx.reports.pop(next(iter(self.ctx.reports)))
        return self._report_page(Cursor("sync", key).encode(r=key, o=0))

    def _sync(self, direction: str, *, dry_run: bool, full: bool) -> dict[str, Any]:
        from bridge.sync import open_sync

        bridge = self.ctx.bridge
        with open_sync(bridge.config, bridge.tracker or None, dry_run=dry_run) as session:
            report = session.syncer.run(
                pull=direction != "push", push=direction != "pull", full=full
            )
        return {**report.as_dict(), "replayed": session.replayed}

    def _report_page(self, cursor: str) -> CallToolResult:
        key = Cursor("sync", None).peek(cursor).get("r")
        report = self.ctx.reports.get(str(key))
        if report is None:
            raise self.ctx.fail("that sync report is no longer kept: run sync again")
        position = Cursor("sync", key)
        start = position.offset(cursor)
        lines = _sync_lines(report)
        items, end = slice_page(lines, lambda line: line, start=start, limit=2_000, room=ROOM)
        counts = {k: len(v) for k, v in report.items() if isinstance(v, list) and k != "plan"}
        counts |= {
            k: v for k, v in report.items() if k in ("comments_pulled", "comments_pushed", "linked")
        }
        return respond(
            s.SyncResult(
                tracker=report["tracker"],
                dry_run=report["dry_run"],
                replayed=report["replayed"],
                counts=counts,
                not_modified=report["not_modified"],
                items=[str(i) for i in items],
                next_cursor=None if end is None else position.encode(r=key, o=end),
            )
        )
