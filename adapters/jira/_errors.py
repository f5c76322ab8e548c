"""The one place where jira and requests failures become bridge errors for the Jira adapter.

The status table is :mod:`adapters._http`'s; Jira adds its ``errorMessages`` and ``errors``
to the message, and keeps 410 apart: Jira answers it for a removed REST endpoint, which is
a bad request, not a deleted ticket.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import MappingProxyType
from typing import Any

from jira.exceptions import JIRAError

from adapters._http import Dialect, HttpAnswer, error_for, translating
from bridge.errors import BridgeError, InvalidError

__all__ = ["error_for_response", "translate"]

ADAPTER = "jira"


def _messages(answer: HttpAnswer) -> str:
    data = answer.data
    if not isinstance(data, dict):
        return ""
    parts = [str(m) for m in data.get("errorMessages") or []]
    errors = data.get("errors") or {}
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
    return "; ".join(parts)


JIRA = Dialect(
    tracker="Jira",
    adapter=ADAPTER,
    detail=_messages,
    statuses=MappingProxyType({410: InvalidError}),
)


def error_for_response(
    status: int, headers: dict[str, Any], data: Any, *, ticket_id: str | None, write: bool
) -> BridgeError:
    """The bridge error for an HTTP error answer from Jira."""
    answer = HttpAnswer.of(status, headers, data)
    return error_for(JIRA, answer, ticket_id=ticket_id, write=write)


def _answer(exc: JIRAError) -> HttpAnswer:
    response = exc.response
    if response is None:
        return HttpAnswer.of(exc.status_code or 0, {})
    try:
        data = response.json() if response.content else None
    except ValueError:
        data = None
    return HttpAnswer.of(exc.status_code or 0, dict(response.headers), data)


def translate(ticket_id: str | None = None, *, write: bool = False) -> AbstractContextManager[None]:
    """Turn jira, requests and urllib3 exceptions into bridge errors, nothing else."""
    return translating(JIRA, JIRAError, _answer, ticket_id=ticket_id, write=write)
