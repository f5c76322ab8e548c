"""The guide's "ticket-driven task delegation" pattern as an MCP prompt.

The ticket comes first; the delegation names it, and the agent reports progress on it by
checkpoints, so the tracker always shows who does what and how far they are.
"""

from __future__ import annotations

__all__ = ["DELEGATION_PROMPT", "delegation_prompt"]

DELEGATION_PROMPT = (
    "Delegate a task the ticket-driven way: file the ticket first, hand the agent a prompt "
    "that names it, and track progress on it by checkpoints"
)

_PRIORITIES = ("low", "medium", "high", "critical")


def delegation_prompt(agent_type: str, task: str, priority: str = "medium") -> str:
    """Delegate ``task`` to ``agent_type`` with a ticket (low, medium, high or critical)."""
    level = priority.strip().lower()
    if level not in _PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(_PRIORITIES)}, not {priority!r}")
    agent = agent_type.strip()
    return f"""You are the PM orchestrator. Delegate this task to the {agent} agent, ticket first.

Task: {task.strip()}
Priority: {level}

1. Create the ticket before anything else: call create_agent_task_ticket with
   agent_name="{agent}", task_description=the task above, priority="{level}", and an
   idempotency_key of your choosing (so a retried call never files it twice). Note its id.
   For a subtask, put the parent's id in additional_context.parent_ticket; for work that must
   wait, put the blocking ticket ids in additional_context.dependencies.
2. Delegate: give the {agent} agent the task as "<task> (Ticket: <id>)", with the requirement
   "Update ticket <id> with progress".
3. Track it: as the agent works, call track_agent_progress with the ticket id, agent_name
   "{agent}" and each checkpoint reached: started, analysis_complete,
   implementation_started, testing, then completed, or blocked (which raises the priority).
   Put details in add_comment.
4. Keep the flow going: when it is done, close_ticket with the resolution (e.g. "Fixed in PR
   #123"), then ready_work to see what can start next. If a result says pending: true, the
   tracker was unreachable and the change waits in the outbox; outbox_status shows the queue.
"""
