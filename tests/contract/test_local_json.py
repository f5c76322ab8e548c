"""The shipped contract suite against the local JSON store (faults: FaultyAdapter)."""

from __future__ import annotations

from pathlib import Path

from adapters.local_json import LocalJsonAdapter
from bridge.service import TicketingService
from bridge.testing import AdapterContract


class TestLocalJsonContract(AdapterContract):
    """The local store passes the whole contract."""

    def make_adapter(self, tmp_path: Path) -> LocalJsonAdapter:
        return LocalJsonAdapter(tmp_path / "store")

    def test_hookup_is_the_local_json_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the local_json adapter."""
        assert service.adapter_name == "local_json"
        assert isinstance(service.adapter, LocalJsonAdapter)
