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
