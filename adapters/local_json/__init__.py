"""The local JSON store: the reference adapter, the offline mode and the fallback target."""

from __future__ import annotations

import os
from pathlib import Path

from adapters.local_json._adapter import LocalJsonAdapter
from adapters.local_json._config import LocalJsonConfig
from bridge.defaults import ID_PREFIX, LOCAL_STORE_DIR
from bridge.service import TicketingService

__all__ = ["LocalJsonAdapter", "LocalJsonConfig", "LocalJsonService"]


class LocalJsonService(TicketingService):
    """The ticketing API over a local store at ``path``: ``LocalJsonService(tmp_path)``."""

    adapter: LocalJsonAdapter

    def __init__(
        self,
        path: str | os.PathLike[str] = LOCAL_STORE_DIR,
        *,
        id_prefix: str = ID_PREFIX,
        durable: bool = False,
        lock_timeout: float = 30.0,
    ) -> None:
        super().__init__(
            LocalJsonAdapter(path, id_prefix=id_prefix, durable=durable, lock_timeout=lock_timeout)
        )

    @property
    def root(self) -> Path:
        """The store's directory."""
        return self.adapter.root
