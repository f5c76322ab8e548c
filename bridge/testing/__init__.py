"""The test kit shipped with ticket-bridge: fixtures, the adapter contract, fault injection.

- ``ticket_service``: the pytest fixture of a fresh offline tracker per test (also
  registered through the ``pytest11`` entry point, so it needs no import).
- :mod:`bridge.testing.contract`: the contract suite as mixins per area, and
  :class:`AdapterContract` with all of them, to run against any adapter.
- :mod:`bridge.testing.faults`: the :class:`Faults` interface and :class:`FaultyAdapter`,
  which makes any adapter fail on command.

This package imports pytest; ``import bridge`` never imports it.
"""

from __future__ import annotations

from bridge.testing.contract import (
    AdapterContract,
    CommentContract,
    ContractFixtures,
    CreateReadContract,
    ErrorContract,
    FaultContract,
    IdempotencyContract,
    LifecycleContract,
    LinkContract,
    ListContract,
    UpdateContract,
)
from bridge.testing.faults import (
    FAULT_KINDS,
    OPERATIONS,
    RETRY_AFTER,
    FaultKind,
    Faults,
    FaultyAdapter,
    Operation,
    fault_error,
)
from bridge.testing.fixtures import ticket_service

__all__ = [
    "FAULT_KINDS",
    "OPERATIONS",
    "RETRY_AFTER",
    "AdapterContract",
    "CommentContract",
    "ContractFixtures",
    "CreateReadContract",
    "ErrorContract",
    "FaultContract",
    "FaultKind",
    "Faults",
    "FaultyAdapter",
    "IdempotencyContract",
    "LifecycleContract",
    "LinkContract",
    "ListContract",
    "Operation",
    "UpdateContract",
    "fault_error",
    "ticket_service",
]
