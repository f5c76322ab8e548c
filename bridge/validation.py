"""One formatter for pydantic's validation errors: ``key.path: what was wrong``."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["describe_errors"]


def describe_errors(exc: ValidationError, prefix: str = "", *, config: bool = False) -> list[str]:
    """One ``"key.path: message"`` per error, the key path under ``prefix``.

    ``config=True`` words them for a configuration file: an unknown key, and the value
    that was given for a scalar.
    """
    problems = []
    head = prefix.split(".") if prefix else []
    for err in exc.errors(include_url=False):
        key = ".".join(str(p) for p in (*head, *err["loc"]))
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key" if config else "unknown field"
        elif (
            config
            and "input" in err
            and err["type"] != "missing"
            and not isinstance(err["input"], dict)
        ):
            message += f" (got {err['input']!r})"
        problems.append(f"{key}: {message}" if key else message)
    return problems
