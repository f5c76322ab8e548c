"""CLI commands of the PM layer: ``workload``, ``sla``, ``progress``, ``tree`` and ``demo``.

``register(subparsers)`` adds them to the ``ticket-bridge`` parser; each sets
``handler(args, service) -> int`` (``demo``: ``standalone(args)``), which prints a table
(JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bridge.cli._common import SLA_BREACHED, command, emit
from bridge.cli.table import show_table
from bridge.render import stamp
from bridge.service import TicketingService
from bridge.workflows.phased import PHASE_HEADERS

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
    emit(args, data, text)


def cmd_workload(args: argparse.Namespace, service: TicketingService) -> int:
    """Tickets per status, load, limit and what is free of each agent (or of those named)."""
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.workload import WORKLOAD_HEADERS, team_workload, workload_rows

    helper = TicketingHelper(service)
    table, unknown = team_workload(helper, args.agent or None)
    for agent in unknown:
        known = ", ".join(sorted(helper.settings.agent_keywords))
        sys.stderr.write(
            f"warning: {agent!r} is not a configured agent and holds no tickets "
            f"(configured: {known})\n"
        )
    if args.json:
        _emit(args, {"agents": table, "unknown": unknown}, "")
    elif table:
        show_table(args, WORKLOAD_HEADERS, workload_rows(table))
    return 1 if unknown and not table else 0


def cmd_sla(args: argparse.Namespace, service: TicketingService) -> int:
    """Open, in-progress and blocked tickets past their SLA; ``--notify`` sends breaches."""
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.sla import check_sla, overdue_tickets

    if getattr(args, "notify", False):
        late = check_sla(TicketingHelper(service))
    else:
        late = overdue_tickets(service)
    rows = [
        [
            o.ticket.id,
            o.ticket.priority.value,
            stamp(o.due_at),
            f"{o.hours_late:.1f}",
            o.ticket.title,
        ]
        for o in late
    ]
    data = [
        {
            "id": o.ticket.id,
            "priority": o.ticket.priority.value,
            "due_at": stamp(o.due_at),
            "hours_late": round(o.hours_late, 2),
            "title": o.ticket.title,
        }
        for o in late
    ]
    if args.json or not late:
        _emit(args, data, "no overdue tickets")
    else:
        show_table(args, ("id", "priority", "due", "hours late", "title"), rows)
    return SLA_BREACHED if late else 0


def cmd_progress(args: argparse.Namespace, service: TicketingService) -> int:
    """Feature progress over phase tickets: how many are resolved or closed, and each."""
    from bridge.workflows.phased import get_feature_progress, phase_rows

    progress = get_feature_progress(args.ids, service)
    rows = phase_rows(args.ids, service)
    data = {**progress, "phases": [dict(zip(PHASE_HEADERS, row, strict=True)) for row in rows]}
    status = str(progress["status"]).replace("_", " ")
    summary = (
        f"{progress['completed_phases']}/{progress['total_phases']} phases done "
        f"({progress['progress_percentage']:.0f}%), {status}"
    )
    _emit(args, data, summary)
    if not args.json:
        show_table(args, PHASE_HEADERS, rows)
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
    if args.json or not tickets:
        _emit(args, [t.model_dump(mode="json") for t in tickets], "nothing is ready")
    else:
        show_table(args, TICKET_HEADERS, ticket_rows(tickets))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The guide's bug-fix workflow, end to end, in a fresh store (or ``--store DIR``)."""
    from bridge.workflows.demo import demo_store, run_demo

    with demo_store(args.store) as (service, where):
        result = run_demo(service)
    _emit(args, {**result.data, "store": where.store, "config": where.config}, result.text)
    if not args.json:
        sys.stdout.write(f"\n{where.describe()}\n")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the PM commands to the ``ticket-bridge`` parser."""
    p = command(
        subparsers, "workload", "tickets, load, limit and what is free, per agent",
        "ticket-bridge workload", "ticket-bridge workload engineer qa",
        description="Per agent: tickets per status; HIGH+ the open and in-progress ones at "
        "high or critical; LOAD open + in progress; LIMIT the [workflows] capacity setting; "
        "FREE limit - load; AVAILABLE fewer open than max_open. Without names: every "
        "configured agent and every other assignee holding tickets.",
    )  # fmt: skip
    p.add_argument("agent", nargs="*", help="only these agents (an unknown one is warned about)")
    p.set_defaults(handler=cmd_workload)

    p = command(
        subparsers, "sla", "open tickets past their SLA (exit code 3 when there are any)",
        "ticket-bridge sla", "ticket-bridge sla --notify",
    )  # fmt: skip
    p.add_argument(
        "--notify", action="store_true", help="tell the [notify] webhooks of new breaches"
    )
    p.set_defaults(handler=cmd_sla)

    p = command(
        subparsers, "progress", "feature progress over phase tickets, a row per phase",
        "ticket-bridge progress PHASE1 PHASE2 PHASE3",
    )  # fmt: skip
    p.add_argument("ids", nargs="+", metavar="ID", help="the phase tickets")
    p.set_defaults(handler=cmd_progress)

    _register_more(subparsers)


def _register_more(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command(
        subparsers, "tree", "a ticket with its subtasks and dependencies", "ticket-bridge tree ID"
    )
    p.add_argument("id", metavar="ID", help="the top ticket")
    p.set_defaults(handler=cmd_tree)

    p = command(
        subparsers, "ready", "open tickets whose dependencies are all done",
        "ticket-bridge ready", "ticket-bridge ready -a engineer --limit 5",
    )  # fmt: skip
    p.add_argument("-a", "--agent", metavar="AGENT", help="only this agent's tickets")
    p.add_argument("--parent", metavar="ID", help="only the subtasks of this ticket")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.set_defaults(handler=cmd_ready)

    p = command(
        subparsers, "demo", "run the guide's bug-fix workflow end to end in a fresh store",
        "ticket-bridge demo", "ticket-bridge demo --store ./demo-tickets",
    )  # fmt: skip
    p.add_argument(
        "--store", metavar="DIR", help="a local store to run in (default: a new temporary one)"
    )
    p.set_defaults(standalone=cmd_demo)
