"""One way to describe a pydantic ``ValidationError``: one ``"key.path: message"`` per problem.

Ticket errors (:func:`bridge.models.invalid_from_validation`) and configuration errors both
read this way; they differ only in the word for an unexpected key and in whether the value
that was given is shown.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

__all__ = ["describe_config_errors", "describe_errors"]


def describe_errors(
    exc: ValidationError,
    prefix: str = "",
    *,
    unknown: str = "unknown field",
    show_input: bool = False,
    root: str | None = "input",
) -> list[str]:
    """One ``"key.path: message"`` item for each error in ``exc``, in pydantic's order.

    ``prefix`` is a dotted path put before every key (``"trackers.jira"`` gives
    ``"trackers.jira.url: ..."``). pydantic's ``"Value error, "`` lead is dropped; a key that
    is not allowed reads ``unknown``. With ``show_input`` a problem with a given value that
    is not a table ends in ``(got <value>)``. An error about the input as a whole, with no
    key, is named ``root``, or stands alone when ``root`` is None.
    """
    head = prefix.split(".") if prefix else []
    problems = []
    for err in exc.errors(include_url=False):
        key = ".".join(str(part) for part in (*head, *err["loc"])) or root
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = unknown
        elif (
            show_input
            and "input" in err
            and err["type"] != "missing"
            and not isinstance(err["input"], dict)
        ):
            message += f" (got {_redacted(err['input'])!r})"
        problems.append(f"{key}: {message}" if key else message)
    return problems


def describe_config_errors(exc: ValidationError, prefix: str = "") -> list[str]:
    """:func:`describe_errors` worded for a configuration file: an unknown key, and the
    value that was given."""
    return describe_errors(exc, prefix, unknown="unknown key", show_input=True, root=None)


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def _redacted(value: object) -> object:
    """``value``, with the user and password of any URL in it replaced by ``***@``."""
    return _USERINFO.sub("***@", value) if isinstance(value, str) else value
