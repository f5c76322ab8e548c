"""Retry, then fall back, then replay: adapters that wrap a tracker's adapter.

- :class:`RetryingAdapter` retries transient errors by a :class:`~bridge.retry.RetryPolicy`
  and looks up a write that may have landed before sending it again.
- :class:`FallbackAdapter` applies an operation to the local store when the retries run out,
  marks the result ``pending`` and queues the operation in the durable outbox.
- :class:`Replayer` sends the outbox in order, exactly once, mapping local ids to tracker ids.

:class:`ResilientService` is the ticketing API over all three, as the factory builds it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bridge.contract import Adapter
from bridge.outbox import Outbox
from bridge.resilience.fallback import FallbackAdapter
from bridge.resilience.replay import Replayer, ReplayReport
from bridge.resilience.retrying import RetryingAdapter, compute_wait
from bridge.retry import RetryPolicy
from bridge.service import TicketingService

__all__ = [
    "FallbackAdapter",
    "ReplayReport",
    "Replayer",
    "ResilientService",
    "RetryingAdapter",
    "compute_wait",
]


def _adapter(of: TicketingService | Adapter) -> Adapter:
    return of.adapter if isinstance(of, TicketingService) else of


class ResilientService(TicketingService):
    """Any tracker, made to retry, fall back (given ``local`` and ``outbox``) and catch up."""

    def __init__(
        self,
        remote: TicketingService | Adapter,
        *,
        policy: RetryPolicy | None = None,
        local: TicketingService | Adapter | None = None,
        outbox: Outbox | None = None,
        sleep: Callable[[float], None] = time.sleep,
        probe_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if (local is None) != (outbox is None):
            raise ValueError("give both a local store and an outbox to fall back, or neither")
        self.remote = _adapter(remote)
        self.retrying = RetryingAdapter(
            self.remote, policy, sleep=sleep, rng=rng, resend_ambiguous=local is None
        )
        self.fallback: FallbackAdapter | None = None
        if local is not None and outbox is not None:
            self.fallback = FallbackAdapter(
                self.retrying,
                _adapter(local),
                outbox,
                probe_interval=probe_interval,
                clock=clock,
            )
        super().__init__(self.fallback or self.retrying)

    @property
    def local(self) -> Adapter | None:
        """The local store operations fall back to (``None``: no fallback)."""
        return None if self.fallback is None else self.fallback.local

    @property
    def outbox(self) -> Outbox | None:
        """The queue of operations waiting for the tracker (``None``: no fallback)."""
        return None if self.fallback is None else self.fallback.outbox

    def replay(self, *, attempts: int | None = None) -> ReplayReport:
        """Send the outbox in order, exactly once; stop at the first entry that fails."""
        if self.fallback is None:
            return ReplayReport()
        return self.fallback.replay(attempts=attempts)
