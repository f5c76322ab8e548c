"""Where the process-wide default service comes from, held apart from the service itself.

``import bridge`` installs the factory's provider here without importing the service (and
with it pydantic), so that ``ticket-bridge --help`` stays light; :mod:`bridge.service` reads
it on :meth:`~bridge.service.TicketingService.get_instance`.
"""

from __future__ import annotations

__all__ = ["installed"]

installed: list[object] = []
"""The installed provider, if any (the last one installed wins): a
:class:`bridge.service.DefaultProvider`, kept here as a plain object so that this module
depends on nothing."""
