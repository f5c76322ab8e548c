"""The base URL of a tracker, as a config gives it: checked once, at load, with a clear reason."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["check_base_url"]

# a host name (labels of letters, digits and hyphens), an IPv4 address, or [an IPv6 address]
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+|\[[0-9A-Fa-f:.]+\]")


def check_base_url(value: str, what: str) -> str:
    """``value`` without its trailing slashes, or ``ValueError`` saying what is wrong with it.

    An http(s) URL with a host, an optional port and path, and nothing else: no spaces, no
    query or fragment, and no user name or password (secrets come from the environment).
    """
    if value != value.strip() or any(c.isspace() for c in value):
        raise ValueError(f"{what} must not contain spaces")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{what} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{what} must start with http:// or https://")
    if "@" in parts.netloc:
        raise ValueError(f"{what} must not hold a user or password; use the environment")
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if not host or not _HOST.fullmatch(host):
        raise ValueError(f"{what} has no valid host name ({host or 'empty'!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must not have a query or fragment")
    return value.rstrip("/")
