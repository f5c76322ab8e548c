"""CLI commands of the PM layer: workload, sla, progress, tree and the demo."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bridge.models import Ticket
from bridge.render import render_table
from bridge.service import TicketingService

__all__ = ["register", "render_tree"]


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(text + "\n")


def render_tree(service: TicketingService, ticket: Ticket, depth: int = 0) -> list[str]:
    """A ticket, its dependencies, then its subtasks, indented, recursively."""
    pad = "    " * depth
    who = f" @{ticket.assignee}" if ticket.assignee else ""
    lines = [
        f"{pad}{ticket.id} [{ticket.status.value}, {ticket.priority.value}]{who} {ticket.title}"
    ]
    if ticket.resolution:
        lines.append(f"{pad}    resolution: {ticket.resolution}")
    if ticket.dependencies:
        lines.append(f"{pad}    blocked by: {', '.join(ticket.dependencies)}")
    for child in service.get_children(ticket.id):
        lines += render_tree(service, child, depth + 1)
    return lines


def _tree_data(service: TicketingService, ticket: Ticket) -> dict[str, Any]:
    data = ticket.model_dump(mode="json")
    data["children"] = [_tree_data(service, c) for c in service.get_children(ticket.id)]
    return data


def cmd_workload(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.workload import get_agent_availability

    helper = TicketingHelper(service)
    agents = [args.agent] if args.agent else None
    table = get_agent_availability(agents, helper=helper)
    rows = [
        [a, "yes" if w["available"] else "no", w["current_load"], w["high_priority"], w["capacity"]]
        for a, w in table.items()
    ]
    _emit(args, table, render_table(("agent", "available", "load", "high", "capacity"), rows))
    return 0


def cmd_sla(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.workflows.sla import overdue_tickets

    late = overdue_tickets(service)
    rows = [
        [o.ticket.id, o.ticket.priority.value, f"{o.hours_late:.1f}", o.ticket.title] for o in late
    ]
    data = [
        {"id": o.ticket.id, "due_at": o.due_at.isoformat(), "hours_late": o.hours_late}
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
    from bridge.workflows.phased import get_feature_progress

    progress = get_feature_progress(args.ids, service)
    text = (
        f"{progress['completed_phases']}/{progress['total_phases']} phases done "
        f"({progress['progress_percentage']:.0f}%), {progress['status']}"
    )
    _emit(args, progress, text)
    return 0


def cmd_tree(args: argparse.Namespace, service: TicketingService) -> int:
    ticket = service.get_ticket(args.id)
    _emit(args, _tree_data(service, ticket), "\n".join(render_tree(service, ticket)))
    return 0


def cmd_demo(args: argparse.Namespace, service: TicketingService) -> int:
    from bridge.workflows.demo import run_demo

    result = run_demo(service)
    _emit(args, result.data, result.text)
    return 0


def register(sub: Any) -> None:
    """Add the PM commands to the ``ticket-bridge`` parser."""
    p = sub.add_parser("workload", help="open, in-progress and capacity per agent")
    p.add_argument("agent", nargs="?")
    p.set_defaults(handler=cmd_workload)
    p = sub.add_parser("sla", help="tickets past their SLA")
    p.set_defaults(handler=cmd_sla)
    p = sub.add_parser("progress", help="feature progress over phase tickets")
    p.add_argument("ids", nargs="+")
    p.set_defaults(handler=cmd_progress)
    p = sub.add_parser("tree", help="a ticket with its subtasks and dependencies")
    p.add_argument("id")
    p.set_defaults(handler=cmd_tree)
    p = sub.add_parser("demo", help="run the guide's bug-fix workflow end to end")
    p.set_defaults(handler=cmd_demo)
