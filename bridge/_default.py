"""Where the process-wide default service comes from, held apart from the service itself.

``import bridge`` installs the factory's provider here without importing the service (and
with it pydantic), so that ``ticket-bridge --help`` stays light; :mod:`bridge.service` reads
it on :meth:`~bridge.service.TicketingService.get_instance`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bridge.service import TicketingService

__all__ = ["DefaultProvider", "installed"]


class DefaultProvider(Protocol):
    """Builds, keeps and forgets the process-wide default service."""

    def get(self, config_path: str | Path | None = None) -> TicketingService: ...

    def reset(self) -> None: ...


installed: list[DefaultProvider] = []
"""The installed provider, if any (the last one installed wins)."""
