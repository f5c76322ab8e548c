"""The contract suite against the local JSON store."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.service import TicketingService
from tests.contract.suite import ContractSuite


class TestLocalJsonContract(ContractSuite):
    """The local store passes the whole contract."""

    @pytest.fixture
    def service(self, tmp_path: Path) -> TicketingService:
        return LocalJsonService(tmp_path / "store")

    def test_hookup_is_the_local_json_adapter(self, service: TicketingService) -> None:
        """The suite above really ran against the local_json adapter."""
        assert service.adapter_name == "local_json"
