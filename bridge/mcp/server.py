"""The MCP server: the tools, the ``ticket://{id}`` resource and the delegation prompt.

:func:`build_server` puts them on an ``MCPServer`` (the official SDK) over one configured
:class:`~bridge.factory.Bridge`; :func:`serve_stdio` and :func:`serve_http` run it. Every
tool refuses unknown arguments, and a bridge error is a tool error carrying its message.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ValidationError

from bridge._version import __version__
from bridge.errors import BridgeError, NotFoundError
from bridge.factory import Bridge
from bridge.mcp.context import ToolContext, describe
from bridge.mcp.paging import BUDGET, compact, fit_count, fit_field, fit_ticket
from bridge.mcp.paging import wire_cost as cost
from bridge.mcp.prompts import DELEGATION_PROMPT, delegation_prompt
from bridge.mcp.workflow import WorkflowTools

__all__ = ["TOOLS", "build_server", "serve_http", "serve_stdio"]

INSTRUCTIONS = (
    "Tickets on the configured tracker (GitHub Issues, Jira or a local store). Lists are one "
    "line per ticket, 'ID STATUS PRIORITY ASSIGNEE TITLE'; pass next_cursor back for more and "
    "detail=true for whole tickets. pending=true means the tracker was unreachable: the change "
    "was made locally and is sent later. Use ready_work to pick what to do next."
)

# name -> (read only, destructive, idempotent); open world: the tracker is not the local store
TOOLS: dict[str, tuple[bool, bool, bool]] = {
    "create_ticket": (False, False, False),
    "get_ticket": (True, False, True),
    "update_ticket": (False, True, True),
    "add_comment": (False, False, False),
    "close_ticket": (False, True, True),
    "reopen_ticket": (False, True, True),
    "list_tickets": (True, False, True),
    "search_tickets": (True, False, True),
    "get_children": (True, False, True),
    "link_tickets": (False, True, True),
    "ticket_tree": (True, False, True),
    "ready_work": (True, False, True),
    "agent_workload": (True, False, True),
    "sla_breaches": (True, False, True),
    "feature_progress": (True, False, True),
    "create_agent_task_ticket": (False, False, False),
    "track_agent_progress": (False, True, False),
    "outbox_status": (True, False, True),
    "sync": (False, True, True),
}
LOCAL_ONLY = {"outbox_status"}


def _argument_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        if err["type"] == "extra_forbidden":
            parts.append(f"{where}: unknown argument")
            continue
        shown = repr(err.get("input"))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(
            f"{where}: {message}" + ("" if err["type"] == "missing" else f" (got {shown})")
        )
    return "; ".join(parts)


class StrictTool(Tool):
    """A tool whose arguments are checked by its schema, unknown ones refused, and whose
    refusal names each bad argument in one line."""

    async def run(
        self, arguments: dict[str, Any], context: Any, convert_result: bool = False
    ) -> Any:
        known = self.parameters.get("properties", {})
        unknown = sorted(set(arguments) - set(known))
        if unknown:
            rest = {k: v for k, v in arguments.items() if k in known}
            problems = [f"{name}: unknown argument" for name in unknown]
            try:
                self.fn_metadata.validate_arguments(rest)
            except ValidationError as exc:
                problems.insert(0, _argument_errors(exc))
            raise ToolError(f"invalid arguments for {self.name}: {'; '.join(problems)}")
        try:
            return await super().run(arguments, context, convert_result)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                detail = _argument_errors(exc.__cause__)
                raise ToolError(f"invalid arguments for {self.name}: {detail}") from exc.__cause__
            raise


def _output_model(fn: Callable[..., Any]) -> type[BaseModel]:
    """The result model a tool declares as ``Annotated[CallToolResult, Model]``."""
    hint = typing.get_type_hints(fn, include_extras=True)["return"]
    model: type[BaseModel] = hint.__metadata__[0]
    return model


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [{type: X}, {type: null}]`` as ``type: [X, null]``."""
    arms = node.get("anyOf")
    if not isinstance(arms, list) or not all(set(a) == {"type"} for a in arms):
        return node
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    return {"type": [a["type"] for a in arms], **rest}


def slim_schema(node: Any, *, output: bool = False) -> Any:
    """``node`` without generated titles; an optional argument is shown as its type (leaving
    it out means none); an output loses its defaults (a result always has every field)."""
    if isinstance(node, list):
        return [slim_schema(v, output=output) for v in node]
    if not isinstance(node, dict):
        return node
    if node == {"$ref": "#/$defs/JsonValue"}:
        return {}  # any JSON value
    if not output and node.get("default", ...) is None and len(node.get("anyOf", ())) == 2:
        kept = [arm for arm in node["anyOf"] if arm != {"type": "null"}]
        if len(kept) == 1:
            rest = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
            node = {**kept[0], **rest}
    dropped = {"title", "default"} if output else {"title"}
    return _nullable(
        {
            k: slim_schema(v, output=output)
            for k, v in node.items()
            if not (k in dropped and (k == "default" or isinstance(v, str)))
        }
    )


def _prune_defs(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs", {})
    text = compact({k: v for k, v in schema.items() if k != "$defs"})
    used: set[str] = set()
    while True:
        found = {name for name in defs if f'"#/$defs/{name}"' in text} - used
        if not found:
            break
        used |= found
        text += compact([defs[name] for name in found])
    rest = {k: v for k, v in schema.items() if k != "$defs"}
    return {**rest, "$defs": {k: defs[k] for k in defs if k in used}} if used else rest


@functools.cache
def _output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The published schema of a result model, made once for every tool that returns it."""
    schema: dict[str, Any] = slim_schema(model.model_json_schema(), output=True)
    schema.pop("description", None)  # the tool's own description says it
    return _prune_defs(schema)


def _strict_tool(fn: Callable[..., Any], name: str, annotations: ToolAnnotations) -> StrictTool:
    description = " ".join((fn.__doc__ or "").split())
    tool = StrictTool.from_function(
        fn, name=name, description=description, annotations=annotations, structured_output=False
    )
    assert isinstance(tool, StrictTool)
    tool.parameters = _prune_defs({**slim_schema(tool.parameters), "additionalProperties": False})
    model = _output_model(fn)
    tool.fn_metadata.output_model = model
    tool.fn_metadata.output_schema = _output_schema(model)
    return tool


def _guarded(ctx: ToolContext, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, with a bridge error raised outside the service (a bad cursor) as a tool error."""

    @functools.wraps(fn)
    def call(**kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except BridgeError as exc:
            raise ctx.fail(describe(exc)) from exc

    return call


def _tools(ctx: ToolContext) -> list[Tool]:
    impl = WorkflowTools(ctx)
    remote = ctx.bridge.config.tracker_type(ctx.bridge.tracker or None) != "local_json"
    tools: list[Tool] = []
    for name, (read_only, destructive, idempotent) in TOOLS.items():
        hints = ToolAnnotations(
            read_only_hint=read_only,
            destructive_hint=destructive,
            idempotent_hint=idempotent,
            open_world_hint=remote and name not in LOCAL_ONLY,
        )
        tools.append(_strict_tool(_guarded(ctx, getattr(impl, name)), name, hints))
    return tools


def _ticket_resource(ctx: ToolContext) -> Callable[[str], str]:
    def ticket(ticket_id: str) -> str:
        """A ticket with every field and its comments (the latest that fit), as JSON."""
        service = ctx.service
        try:
            found, _ = ctx.run(
                lambda: (service.get_ticket(ticket_id), service.list_comments(ticket_id))
            )
        except ToolError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                raise ResourceNotFoundError(str(exc)) from exc
            raise ResourceError(str(exc)) from exc
        record, comments = found
        data, _ = fit_ticket(record, BUDGET // 2)
        shown = [c.model_dump(mode="json") for c in reversed(comments)]
        count = fit_count([cost(c) for c in shown], BUDGET // 2) if shown else 0
        if count == 1:  # the latest comment alone is longer than a response: cut to fit
            shown[0] = fit_field(shown[0], "body", BUDGET // 2)[0]
        data["comments"] = list(reversed(shown[:count]))
        data["comments_omitted"] = len(comments) - count
        return compact(data)

    return ticket


def build_server(
    bridge: Bridge, *, secrets: tuple[str, ...] = ()
) -> tuple[MCPServer[Any], ToolContext]:
    """The MCP server over ``bridge`` and the context its tools share (close it after);
    ``secrets`` never appear in what a client is sent."""
    ctx = ToolContext(bridge, secrets=secrets)
    server: MCPServer[Any] = MCPServer(
        "ticket-bridge",
        version=__version__,
        instructions=INSTRUCTIONS,
        tools=_tools(ctx),
        log_level="WARNING",
    )
    server.resource(
        "ticket://{ticket_id}",
        name="ticket",
        description="A ticket with every field and its latest comments, as JSON",
        mime_type="application/json",
    )(_ticket_resource(ctx))
    server.prompt(name="delegate_with_ticket", description=DELEGATION_PROMPT)(delegation_prompt)
    return server, ctx


def serve_stdio(bridge: Bridge) -> None:
    """Serve on standard input and output until the client closes them."""
    server, ctx = build_server(bridge)
    try:
        server.run("stdio")
    finally:
        ctx.close()


def serve_http(bridge: Bridge, host: str, port: int, token: str | None) -> None:
    """Serve streamable HTTP at ``http://host:port/mcp`` (with ``token``: bearer required)."""
    from bridge.mcp.http import run_http

    server, ctx = build_server(bridge, secrets=(token,) if token else ())
    try:
        run_http(server, host, port, token)
    finally:
        ctx.close()
