"""CLI commands of the PM layer: ``workload``, ``sla``, ``progress``, ``tree`` and ``demo``.

``register(subparsers)`` adds them to the ``ticket-bridge`` parser; each sets
``handler(args, service) -> int``, which prints a plain table (JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bridge.render import render_table
from bridge.service import TicketingService

__all__ = [
    "cmd_demo",
    "cmd_progress",
    "cmd_ready",
    "cmd_sla",
    "cmd_tree",
    "cmd_workload",
    "register",
]


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(text + "\n")


def cmd_workload(args: argparse.Namespace, service: TicketingService) -> int:
    """Tickets per status, load, capacity and availability of each agent (or one)."""
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.workload import get_agent_availability

    helper = TicketingHelper(service)
    agents = [args.agent] if getattr(args, "agent", None) else None
    availability = get_agent_availability(agents, helper=helper)
    table = {
        agent: {**helper.get_agent_workload(agent), **avail}
        for agent, avail in availability.items()
    }
    headers = ("agent", "open", "in progress", "blocked", "done", "high", "load", "capacity")
    rows = [
        [
            agent,
            w["open"],
            w["in_progress"],
            w["blocked"],
            w["resolved"] + w["closed"],
            w["high_priority"],
            w["current_load"],
            f"{w['capacity']}{'' if w['available'] else ' (busy)'}",
        ]
        for agent, w in table.items()
    ]
    _emit(args, table, render_table(headers, rows))
    return 0


def cmd_sla(args: argparse.Namespace, service: TicketingService) -> int:
    """Open, in-progress and blocked tickets past their SLA; ``--notify`` sends breaches."""
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.sla import check_sla, overdue_tickets

    if getattr(args, "notify", False):
        late = check_sla(TicketingHelper(service))
    else:
        late = overdue_tickets(service)
    rows = [
        [o.ticket.id, o.ticket.priority.value, f"{o.hours_late:.1f}", o.ticket.title] for o in late
    ]
    data = [
        {
            "id": o.ticket.id,
            "priority": o.ticket.priority.value,
            "due_at": o.due_at.isoformat(),
            "hours_late": round(o.hours_late, 2),
            "title": o.ticket.title,
        }
        for o in late
    ]
    text = (
        render_table(("id", "priority", "hours late", "title"), rows)
        if late
        else "no overdue tickets"
    )
    _emit(args, data, text)
    return 0


def cmd_progress(args: argparse.Namespace, service: TicketingService) -> int:
    """Feature progress over phase tickets: how many are resolved or closed."""
    from bridge.workflows.phased import get_feature_progress

    progress = get_feature_progress(args.ids, service)
    text = (
        f"{progress['completed_phases']}/{progress['total_phases']} phases done "
        f"({progress['progress_percentage']:.0f}%), {progress['status']}"
    )
    _emit(args, progress, text)
    return 0


def cmd_tree(args: argparse.Namespace, service: TicketingService) -> int:
    """A ticket with its subtasks, recursively, and its dependencies."""
    from bridge.workflows.tree import render_tree, tree_data

    ticket = service.get_ticket(args.id)
    _emit(args, tree_data(service, ticket), "\n".join(render_tree(service, ticket)))
    return 0


def cmd_ready(args: argparse.Namespace, service: TicketingService) -> int:
    """Open tickets whose dependencies are done, most urgent and then oldest first."""
    from bridge.render import TICKET_HEADERS, ticket_rows
    from bridge.workflows.ready import ready_work

    tickets = ready_work(service, agent=args.agent, parent_id=args.parent, limit=args.limit)
    data = [t.model_dump(mode="json") for t in tickets]
    text = render_table(TICKET_HEADERS, ticket_rows(tickets)) if tickets else "nothing is ready"
    _emit(args, data, text)
    return 0


def cmd_demo(args: argparse.Namespace, service: TicketingService) -> int:
    """The guide's bug-fix workflow, end to end, on the configured tracker."""
    from bridge.workflows.demo import run_demo

    result = run_demo(service)
    _emit(args, result.data, result.text)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the PM commands to the ``ticket-bridge`` parser."""
    p = subparsers.add_parser("workload", help="tickets, load and capacity per agent")
    p.add_argument("agent", nargs="?", help="one agent (default: every configured agent)")
    p.set_defaults(handler=cmd_workload)

    p = subparsers.add_parser("sla", help="open tickets past their SLA")
    p.add_argument(
        "--notify", action="store_true", help="tell the [notify] webhooks of new breaches"
    )
    p.set_defaults(handler=cmd_sla)

    p = subparsers.add_parser("progress", help="feature progress over phase tickets")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=cmd_progress)

    p = subparsers.add_parser("tree", help="a ticket with its subtasks and dependencies")
    p.add_argument("id")
    p.set_defaults(handler=cmd_tree)

    p = subparsers.add_parser("ready", help="open tickets whose dependencies are all done")
    p.add_argument("-a", "--agent", help="only this agent's (assignee's) tickets")
    p.add_argument("--parent", help="only the subtasks of this ticket")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.set_defaults(handler=cmd_ready)

    p = subparsers.add_parser("demo", help="run the guide's bug-fix workflow end to end")
    p.set_defaults(handler=cmd_demo)
