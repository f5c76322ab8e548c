"""Argument types (with the descriptions agents read) and result models of the MCP tools."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, JsonValue, WithJsonSchema

from bridge import models

__all__ = [
    "AgentLoad",
    "Breach",
    "BreachList",
    "CommentResult",
    "FeatureProgress",
    "LineList",
    "OutboxEntry",
    "OutboxStatus",
    "ProgressResult",
    "SyncResult",
    "TicketList",
    "TicketResult",
    "TicketWithComments",
    "Workload",
]

# Results hold the bridge's own ticket and comment models, validated in full before they are
# sent; their published schemas are short descriptions, as every tool that returns a ticket
# would otherwise repeat the whole ticket schema in tools/list.
Ticket = Annotated[
    models.Ticket,
    WithJsonSchema(
        {
            "type": "object",
            "description": "id, title, description, status, priority, type, assignee, labels, "
            "parent_id, dependencies, metadata, resolution, created_at, updated_at, tracker, "
            "pending",
            "required": ["id", "title", "status", "priority"],
        }
    ),
]
Comment = Annotated[
    models.Comment,
    WithJsonSchema(
        {
            "type": "object",
            "description": "id, ticket_id, author, body, created_at",
            "required": ["id", "ticket_id", "author", "body"],
        }
    ),
]

StatusName = Literal["open", "in_progress", "blocked", "resolved", "closed"]
PriorityName = Literal["low", "medium", "high", "critical"]
TypeName = Literal["task", "bug", "feature", "epic"]
Checkpoint = Literal[
    "started", "analysis_complete", "implementation_started", "testing", "completed", "blocked"
]

TicketId = Annotated[
    str, Field(min_length=1, max_length=128, description="a ticket id, as the tools return it")
]
OptTicketId = Annotated[str | None, Field(max_length=128, description="a ticket id")]
Title = Annotated[str, Field(min_length=1, max_length=255, description="one-line summary")]
Description = Annotated[str | None, Field(description="the details (Markdown is kept as is)")]
TicketTypeArg = Annotated[TypeName, Field(description="task, bug, feature or epic")]
Text = Annotated[str, Field(min_length=1, description="the text (Markdown is kept as is)")]
OptText = Annotated[str | None, Field(description="new text; omit to keep")]
Priority = Annotated[PriorityName, Field(description="low, medium, high or critical")]
OptPriority = Annotated[PriorityName | None, Field(description="new priority; omit to keep")]
OptStatus = Annotated[StatusName | None, Field(description="new status; omit to keep")]
OptType = Annotated[TypeName | None, Field(description="new type; omit to keep")]
Assignee = Annotated[
    str | None, Field(max_length=100, description="the agent (or person) who owns it")
]
Labels = Annotated[list[str] | None, Field(description="labels (each at most 100 characters)")]
Metadata = Annotated[
    dict[str, JsonValue] | None, Field(description="any JSON object kept with the ticket")
]
IdempotencyKey = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=200,
        description="your key for this create: a retry with it returns the ticket it made",
    ),
]
Detail = Annotated[bool, Field(description="whole tickets instead of one line each")]
Limit = Annotated[
    int, Field(ge=1, le=500, description="at most this many (fewer if more would not fit)")
]
PageCursor = Annotated[
    str | None, Field(description="next_cursor of the last response (same arguments)")
]
StatusFilter = Annotated[
    list[StatusName] | None, Field(description="any of these statuses (default: all)")
]
PriorityFilter = Annotated[list[PriorityName] | None, Field(description="any of these priorities")]
TypeFilter = Annotated[list[TypeName] | None, Field(description="any of these types")]
AgentName = Annotated[
    str, Field(min_length=1, max_length=100, description="the agent, e.g. engineer, qa, research")
]


class _Result(BaseModel):
    pending: bool = Field(
        default=False,
        description="true: the tracker was unreachable; done locally, queued for it",
    )
    pending_reason: str | None = Field(default=None, description="why it is pending")
    offline_reason: str | None = Field(
        default=None, description="the tracker did not answer: a saved copy was used"
    )


class TicketResult(_Result):
    """One whole ticket."""

    ticket: Ticket
    existing: bool = Field(default=False, description="the idempotency key had made it before")
    description_next_offset: int | None = Field(
        default=None, description="the description goes on: for get_ticket description_offset"
    )


class TicketWithComments(TicketResult):
    """One whole ticket, and its comments when asked for."""

    comments: list[Comment] | None = None
    comments_next_cursor: str | None = Field(default=None, description="for comments_cursor")


class CommentResult(_Result):
    """The comment as stored (a queued comment has the id pending-N until it is sent)."""

    comment: Comment


class TicketList(BaseModel):
    """A page of tickets."""

    tickets: list[str | Ticket] = Field(
        description="'ID STATUS PRIORITY ASSIGNEE TITLE' lines (- for no assignee), or whole "
        "tickets with detail=true"
    )
    count: int
    next_cursor: str | None = Field(description="for cursor, with the same arguments; null: end")
    problems: list[str] = Field(default_factory=list, description="what could not be read")
    cut_descriptions: dict[str, int] = Field(
        default_factory=dict,
        description="id -> where its description was cut (get_ticket description_offset)",
    )


class LineList(BaseModel):
    """Lines of text, paged."""

    lines: list[str]
    count: int
    next_cursor: str | None = Field(description="pass as cursor for the rest; null: no more")


class AgentLoad(BaseModel):
    """One agent's tickets and capacity, as the guide's Pattern 3 computes them."""

    open: int
    in_progress: int
    blocked: int
    resolved: int
    closed: int
    high_priority: int = Field(description="open or in progress, of high or critical priority")
    total: int
    available: bool = Field(description="fewer open tickets than [workflows] max_open")
    current_load: int = Field(description="open + in progress")
    capacity: int = Field(description="[workflows] capacity minus the load")


class Workload(BaseModel):
    agents: dict[str, AgentLoad]


class Breach(BaseModel):
    id: str
    priority: PriorityName
    due_at: str = Field(description="the SLA due time, ISO 8601 UTC")
    hours_late: float
    title: str


class BreachList(BaseModel):
    """Open, in-progress and blocked tickets past their SLA, the most overdue first."""

    breaches: list[Breach]
    count: int
    next_cursor: str | None


class FeatureProgress(BaseModel):
    progress_percentage: float
    completed_phases: int
    total_phases: int
    status: Literal["complete", "in_progress"]


class ProgressResult(_Result):
    """The checkpoint comment and where the ticket stands now."""

    comment: Comment
    ticket: str = Field(description="the ticket's line after the checkpoint")


class OutboxEntry(BaseModel):
    seq: int
    op: str = Field(description="create, update or comment")
    ticket_id: str | None
    state: str = Field(description="queued; sending (may have landed); failed (see error)")
    queued_at: str
    error: str | None


class OutboxStatus(BaseModel):
    """Operations done locally while the tracker was unreachable, waiting to be sent."""

    tracker: str
    fallback: bool = Field(description="false: this tracker never falls back (the local store)")
    queued: int = Field(description="operations waiting")
    entries: list[OutboxEntry]
    next_cursor: str | None


class SyncResult(BaseModel):
    """What a sync did (or, dry run, would do): counts, then one line per item, paged."""

    tracker: str
    dry_run: bool
    replayed: int = Field(description="queued outbox operations sent first")
    counts: dict[str, int]
    not_modified: bool = Field(description="the tracker had nothing new")
    items: list[str] = Field(description="'kind: detail' lines (created, updated, plan, ...)")
    next_cursor: str | None = Field(
        description="pass as cursor to read the rest of this report (no new sync is run)"
    )
