"""The contract suite every adapter passes, as mixins per area over one fixtures base.

A hookup subclasses the mixins it wants (or :class:`AdapterContract`, all of them) and says
how to build a fresh adapter; pytest collects it like any test class::

    class TestMyAdapterContract(AdapterContract):
        missing_id = "MY-999999"          # well-formed for the tracker, names no ticket

        def make_adapter(self, tmp_path):
            return MyAdapter(tmp_path)

What an adapter cannot do is declared in its ``capabilities``; the suite reads them and
checks that such operations are refused, skipping nothing. Faults are injected through
:class:`~bridge.testing.faults.FaultyAdapter` unless the hookup's ``make_faults`` returns
its own :class:`~bridge.testing.faults.Faults` (a fake server's, say).
"""

from __future__ import annotations

from bridge.testing.contract._base import METADATA, ContractFixtures
from bridge.testing.contract.comments import CommentContract
from bridge.testing.contract.create_read import CreateReadContract
from bridge.testing.contract.errors import ErrorContract
from bridge.testing.contract.faults import FaultContract
from bridge.testing.contract.idempotency import IdempotencyContract
from bridge.testing.contract.lifecycle import LifecycleContract
from bridge.testing.contract.links import LinkContract
from bridge.testing.contract.listing import ListContract
from bridge.testing.contract.update import UpdateContract

__all__ = [
    "METADATA",
    "AdapterContract",
    "CommentContract",
    "ContractFixtures",
    "CreateReadContract",
    "ErrorContract",
    "FaultContract",
    "IdempotencyContract",
    "LifecycleContract",
    "LinkContract",
    "ListContract",
    "UpdateContract",
]


class AdapterContract(
    CreateReadContract,
    UpdateContract,
    CommentContract,
    ListContract,
    LinkContract,
    LifecycleContract,
    IdempotencyContract,
    ErrorContract,
    FaultContract,
):
    """The whole contract: every mixin above."""
